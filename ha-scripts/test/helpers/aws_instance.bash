#!/usr/bin/env bash
#
# nn-host on the emulated instances of the aws-provider tests (an executable, not loaded):
# AWS_NN_HOST_PATH points here, and fake-aws (NNR_AWS_SSM_EXEC=1) runs every SSM command
# on this machine. The new volume is the directory NNH_MOUNT_POINT (no device, no mount,
# no NameNode):
#   restore         checks the fetched set in NNH_RESTORE_DIR (files, clusterID, md5) and
#                   copies it to NNH_MOUNT_POINT/NAME_SUBDIR/current with seen_txid, as
#                   nn-host restore does once the volume is mounted
#   save-namespace  adds fsimage_<NNR_FAKE_SAVED_TXID, 19 digits> + .md5 there (the image
#                   a saveNamespace would write)
#   export-image    the real bin/nn-host export-image on that name dir
#   others          succeed, naming themselves
# Each call is recorded in NNR_AWS_INSTANCE_NNH_LOG: "SUBCOMMAND NNH_...=... ...".
set -euo pipefail

HA_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

#######################################
# Writes fsimage_N with some content and its .md5 as Hadoop does ("hex *fsimage_N").
#######################################
write_image() {
  local dir="$1" n="$2"
  printf 'fsimage saved at %s\n' "${n}" >"${dir}/fsimage_${n}"
  (cd "${dir}" && echo "$(md5sum <"fsimage_${n}" | cut -d' ' -f1) *fsimage_${n}" >"fsimage_${n}.md5")
}

cmd_restore() {
  local src="${NNH_RESTORE_DIR:?}" n="${NNH_RESTORE_TXID:?}" name
  name="${NNH_MOUNT_POINT:?}/${NNH_NAME_SUBDIR:-name}"
  if [[ -f "${name}/current/VERSION" ]]; then
    [[ -f "${name}/current/fsimage_${n}" ]] || {
      echo "nn-host: error: ${name} already holds a name dir without fsimage_${n}; refusing" >&2
      exit 4
    }
    echo "nn-host: ${name} already restored from image ${n}"
    return 0
  fi
  local f
  for f in VERSION "fsimage_${n}" "fsimage_${n}.md5"; do
    [[ -f "${src}/${f}" ]] || {
      echo "nn-host: error: ${src}/${f} missing; refusing" >&2
      exit 4
    }
  done
  grep -qx "clusterID=${NNH_CLUSTER_ID:?}" "${src}/VERSION" || {
    echo "nn-host: error: regional image ${n} is not of ${NNH_CLUSTER_ID}; refusing" >&2
    exit 4
  }
  (cd "${src}" && md5sum --status -c "fsimage_${n}.md5") || {
    echo "nn-host: error: fsimage_${n}: md5 mismatch in ${src}; refusing" >&2
    exit 4
  }
  mkdir -p "${name}/current"
  cp "${src}/VERSION" "${src}/fsimage_${n}" "${src}/fsimage_${n}.md5" "${name}/current/"
  echo "$((10#${n}))" >"${name}/current/seen_txid"
  echo "nn-host: ${name} restored from image $((10#${n})) (clusterID ${NNH_CLUSTER_ID})"
}

main() {
  local sub="${1:-}" name
  env | grep '^NNH_' | sort | paste -sd' ' - | sed "s/^/${sub} /" \
    >>"${NNR_AWS_INSTANCE_NNH_LOG:-/dev/null}"
  name="${NNH_MOUNT_POINT:?}/${NNH_NAME_SUBDIR:-name}"
  case "${sub}" in
    restore) cmd_restore ;;
    save-namespace)
      local n
      n="$(printf '%019d' "${NNR_FAKE_SAVED_TXID:?}")"
      write_image "${name}/current" "${n}"
      echo "nn-host: namespace saved (image ${n})"
      ;;
    export-image) exec "${HA_HOME}/bin/nn-host" export-image ;;
    *) echo "nn-host: ${sub} ok (emulated instance ${NNR_INSTANCE_ID:-?})" ;;
  esac
}

main "$@"
