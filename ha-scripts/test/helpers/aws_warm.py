#!/usr/bin/env python3
"""Test speed-up only: runs the real AWS CLI (awscli.clidriver: v1 from pip, or v2 where it
is a Python package, as Debian's awscli is) and moto_world.py in a warm process.

  aws_warm.py serve SOCKET [URL]    import awscli, boto3 and moto_world once, load what
                                    every call would load again (see prewarm), then for
                                    each request fork a child that runs the CLI's own main()
                                    or moto_world's main() with the request's argv/env
  aws_warm.py SOCKET ARGS...        client: behaves like `aws ARGS...` (stdout, stderr,
                                    exit code)
  aws_warm.py --world SOCKET ARGS...
                                    client: behaves like `moto_world.py ARGS...`

The CLI code, its argument parsing and its HTTP calls to moto_server are the real ones;
only the interpreter start, the imports, the per-call loading of data files, the building of
each service's client class (the same class in every call) and of SSL contexts (unused:
moto_server speaks plain HTTP) are saved.
"""
import json
import os
import socket
import sys

HELPERS = os.path.dirname(os.path.abspath(__file__))

def recv_all(conn):
    chunks = []
    while True:
        data = conn.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def prewarm(warm, url):
    """What each forked call would otherwise load again: botocore's shared data files, the
    services' models and endpoint rules (the loader caches them), and boto3's clients of
    moto_world. Not the CLI's argument tables: building them ahead registers every built
    operation's handlers (a put-object --generate-cli-skeleton then printed the skeletons
    of all of them)."""
    loader = warm.session.get_component("data_loader")
    for name in ("endpoints", "partitions", "_retry", "sdk-default-configuration"):
        try:
            loader.load_data(name)
        except Exception:  # noqa: BLE001 - speed only
            pass
    for service in ("ec2", "ssm", "s3"):
        warm.session.get_service_model(service)
        for kind in ("endpoint-rule-set-1", "paginators-1", "waiters-2"):
            try:
                loader.load_service_model(service, kind)
            except Exception:  # noqa: BLE001 - not every service has every kind
                pass
    if url:
        import moto_world
        moto_world.ec2(url)
        moto_world.s3(url)
    # The top-level command table (every service's name and the CLI's own commands): built
    # once here instead of in every call; its services' operation tables stay lazy.
    warm._get_command_table()
    warm.session.get_available_services()
    # The operation tables of the services the provider calls (names and operation models
    # only; each operation's argument table stays lazy, built in the call that runs it):
    # about 17 ms of a 220 ms call, measured side by side. (Not the credential chain: built
    # here it would keep this process's profile and files for every call.)
    for service in ("ec2", "ssm", "s3api"):
        warm._get_command_table()[service]._get_command_table()
    share_client_setup(warm)


def share_client_setup(warm):
    """Each call builds its service's client class again (765 methods for EC2) and an SSL
    context per HTTP session: 60 of a call's 200 ms of CPU, measured in forked calls
    (0.20 -> 0.14 s). Both come out the same in every call, so they are built once here:
    the classes cached by session (its event emitter), service and API version, one SSL
    context for every session. (The context is changed in place only by HTTPS connections
    and proxy settings: moto_server is plain HTTP, and each call is a forked child.)
    botocore is the CLI's own (v2 aliases its vendored copy under that name)."""
    from botocore import client, httpsession
    classes = {}
    build_class = client.ClientCreator._create_client_class

    def cached_class(self, service_name, service_model):
        # Per event emitter too: boto3's sessions (moto_world) register their own handlers.
        key = (id(self._event_emitter), service_name, service_model.api_version)
        if key not in classes:
            classes[key] = build_class(self, service_name, service_model)
        return classes[key]

    client.ClientCreator._create_client_class = cached_class
    context = httpsession.create_urllib3_context()
    httpsession.URLLib3Session._get_ssl_context = lambda self: context
    # Fills the cache; explicit keys keep the credential chain out of this process.
    for service in ("ec2", "ssm", "s3"):
        warm.session.create_client(service, region_name="us-east-1",
                                   aws_access_key_id="warm", aws_secret_access_key="warm")


def exit_code(e):
    """The exit code of a SystemExit, its message on stderr as Python prints it."""
    if e.code is None or isinstance(e.code, int):
        return e.code or 0
    sys.stderr.write(f"{e.code}\n")
    return 1


def run_child(warm, req):
    """In the forked child: runs the request with its env, returns the exit code."""
    try:
        if req.get("kind") == "world":
            import moto_world
            moto_world.main(["moto_world.py"] + req["argv"])
            return 0
        from awscli import clidriver
        entry_point = getattr(clidriver, "AWSCLIEntryPoint", None)
        if entry_point is not None:
            # CLI v2: its entry point (error handling, exit codes) on the warm driver.
            return entry_point(warm).main(req["argv"])
        return warm.main(req["argv"])
    except SystemExit as e:
        return exit_code(e)


def serve(path, url):
    import tempfile
    sys.path.insert(0, HELPERS)
    import awscli
    from awscli.clidriver import create_clidriver
    sys.stderr.write(f"awscli {awscli.__version__}\n")  # the log says which CLI serves
    sys.stderr.flush()
    warm = create_clidriver()
    prewarm(warm, url)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    import gc
    import signal
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # What is loaded now is never collected: the forked calls neither scan it nor copy the
    # pages its reference counts live on for that.
    gc.collect()
    gc.freeze()
    while True:
        conn, _ = srv.accept()
        if os.fork() != 0:
            conn.close()
            continue
        srv.close()
        gc.disable()  # a call lives for a fraction of a second
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
            rc = run_child(warm, req)
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


def client(path, argv, kind):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    conn.sendall(json.dumps({"argv": argv, "env": dict(os.environ), "kind": kind}).encode())
    conn.shutdown(socket.SHUT_WR)
    res = json.loads(recv_all(conn))
    sys.stdout.write(res["out"])
    sys.stderr.write(res["err"])
    sys.exit(res["rc"])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    elif sys.argv[1] == "--world":
        client(sys.argv[2], sys.argv[3:], "world")
    else:
        client(sys.argv[1], sys.argv[2:], "aws")
