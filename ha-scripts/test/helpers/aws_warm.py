#!/usr/bin/env python3
"""Test speed-up only: runs the real AWS CLI v1 (awscli.clidriver) in a warm process.

  aws_warm.py serve SOCKET     import awscli once, then for each request fork a child that
                               runs the CLI's own main() with the request's argv/env
  aws_warm.py SOCKET ARGS...   client: behaves like `aws ARGS...` (stdout, stderr, exit code)

The CLI code, its argument parsing and its HTTP calls to moto_server are the real ones;
only the ~0.5 s interpreter + import start per call is saved.
"""
import json
import os
import socket
import sys


def recv_all(conn):
    chunks = []
    while True:
        data = conn.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def serve(path):
    import tempfile
    from awscli.clidriver import create_clidriver
    warm = create_clidriver()
    for service in ("ec2", "ssm"):
        warm.session.get_service_model(service)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    import signal
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        conn, _ = srv.accept()
        if os.fork() != 0:
            conn.close()
            continue
        srv.close()
        req = json.loads(recv_all(conn))
        data_path = os.environ.get("AWS_DATA_PATH")  # set by `import awscli`
        os.environ.clear()
        os.environ.update(req["env"])
        if data_path:
            os.environ["AWS_DATA_PATH"] = data_path
        out = tempfile.TemporaryFile()
        errf = tempfile.TemporaryFile()
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(errf.fileno(), 2)
        try:
            rc = warm.main(req["argv"])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # noqa: BLE001 - report like the CLI would
            sys.stderr.write(f"{e}\n")
            rc = 255
        sys.stdout.flush()
        sys.stderr.flush()
        out.seek(0)
        errf.seek(0)
        conn.sendall(json.dumps({"rc": rc, "out": out.read().decode(),
                                 "err": errf.read().decode()}).encode())
        conn.close()
        os._exit(0)


def client(path, argv):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    conn.sendall(json.dumps({"argv": argv, "env": dict(os.environ)}).encode())
    conn.shutdown(socket.SHUT_WR)
    res = json.loads(recv_all(conn))
    sys.stdout.write(res["out"])
    sys.stderr.write(res["err"])
    sys.exit(res["rc"])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        client(sys.argv[1], sys.argv[2:])
