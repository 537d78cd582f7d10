#!/usr/bin/env python3
"""JournalNodes' HTTP JMX for the aws-provider tests (cross-zone relaunch), on 127.0.0.1.

  aws_fake_jn.py PORT_FILE VALUES_FILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE) and answers
GET /jmx?qry=Hadoop:service=JournalNode,name=Journal-<jid> like a JournalNode, for the
JournalNode named by the request's Host header: VALUES_FILE (JSON, read at every request)
maps a host name to its LastWrittenTxId, e.g. {"jn-a": null, "jn-b": 42, "jn-c": 41};
null or a missing name = that JournalNode does not answer (HTTP 503). Any other path or
query: 404. The tests send every JournalNode name to this port with curl's connect-to
(a .curlrc under CURL_HOME), so nothing leaves 127.0.0.1 and nothing is resolved.
"""
import http.server
import json
import os
import sys
import urllib.parse

QRY_PREFIX = "Hadoop:service=JournalNode,name=Journal-"


class Handler(http.server.BaseHTTPRequestHandler):
    values_file = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urllib.parse.urlsplit(self.path)
        qry = urllib.parse.parse_qs(url.query).get("qry", [""])[0]
        if url.path != "/jmx" or not qry.startswith(QRY_PREFIX):
            self.send_error(404)
            return
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        with open(self.values_file, encoding="utf-8") as f:
            txid = json.load(f).get(host)
        if txid is None:
            self.send_error(503)
            return
        body = json.dumps({"beans": [{
            "name": qry, "modelerType": "Journal-" + qry[len(QRY_PREFIX):],
            "LastWrittenTxId": txid, "LastPromisedEpoch": 3, "CurrentLagTxns": 0,
        }]}, indent=2).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.headers.get("Host"), fmt % args))


def main(port_file, values_file):
    Handler.values_file = values_file
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(srv.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
