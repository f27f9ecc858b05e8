"""
jarsync's bench: the cookie jar that mitmdump runs as a contender.

    mitmdump -s bench/contenders/mitmdump-jar.py \
        --set bench_jar_domain=bench.test --set 'bench_resolve=*.bench.test=127.0.0.1'

What it does is what jarsync does with a synced domain, kept as small as a
user's own add-on would be: every Set-Cookie of a response from a host under
`bench_jar_domain` goes into one jar holding the latest value per
(domain, path, name), with the rules a browser applies that cost something to
check (a Domain attribute must cover the host, Secure only over https,
Max-Age or Expires, deletion by Max-Age=0).

`bench_resolve` maps `*.suffix` to an address, as jarsync's --resolve does:
mitmdump has no such option, so the add-on answers those names in Python's
resolver (socket.getaddrinfo, which asyncio calls to connect). The host name
itself is kept, so SNI, upstream certificate checks and connection reuse work
as they would with real DNS.
"""
import socket
import time
from email.utils import parsedate_to_datetime

from mitmproxy import http


class BenchJar:
    def __init__(self) -> None:
        self.jar: dict[tuple[str, str, str], tuple[str, float | None]] = {}
        self.domain = ""
        self.set = 0
        self.refused = 0
        self._getaddrinfo = socket.getaddrinfo

    def load(self, loader) -> None:
        loader.add_option("bench_jar_domain", str, "", "Capture the cookies of this domain and its subdomains.")
        loader.add_option("bench_resolve", str, "", "PATTERN=ADDRESS: send *.suffix (or a host) to ADDRESS.")

    def configure(self, updated) -> None:
        from mitmproxy import ctx

        self.domain = ctx.options.bench_jar_domain.lower().strip(".")
        rule = ctx.options.bench_resolve
        if "=" in rule:
            pattern, address = rule.split("=", 1)
            self._resolve(pattern.lower(), address)

    def _resolve(self, pattern: str, address: str) -> None:
        original = self._getaddrinfo
        suffix = pattern[1:] if pattern.startswith("*.") else None

        def getaddrinfo(host, port, *args, **kwargs):
            if isinstance(host, str):
                name = host.lower().rstrip(".")
                if name == pattern or (suffix is not None and (name.endswith(suffix) or name == suffix[1:])):
                    host = address
            return original(host, port, *args, **kwargs)

        socket.getaddrinfo = getaddrinfo

    def _synced(self, host: str) -> bool:
        return self.domain != "" and (host == self.domain or host.endswith("." + self.domain))

    def response(self, flow: http.HTTPFlow) -> None:
        host = flow.request.host.lower().rstrip(".")
        if flow.response is None or not self._synced(host):
            return
        secure = flow.request.scheme == "https"
        now = time.time()
        for name, (value, attrs) in flow.response.cookies.items(multi=True):
            domain = (attrs.get("domain") or "").lower().lstrip(".")
            if domain == "":
                domain = host
            elif not (host == domain or host.endswith("." + domain)):
                self.refused += 1
                continue
            if "secure" in attrs and not secure:
                self.refused += 1
                continue
            path = attrs.get("path") or "/"
            expires = None
            max_age = attrs.get("max-age")
            if max_age is not None:
                try:
                    expires = now + int(max_age)
                except ValueError:
                    expires = None
            elif attrs.get("expires"):
                try:
                    expires = parsedate_to_datetime(attrs["expires"]).timestamp()
                except (TypeError, ValueError):
                    expires = None
            key = (domain, path, name)
            if expires is not None and expires <= now:
                self.jar.pop(key, None)
            else:
                self.jar[key] = (value, expires)
            self.set += 1


    def done(self) -> None:
        # One line at exit, to check that the jar did its work during a run.
        import sys

        print(f"bench jar: {self.set} set, {self.refused} refused, {len(self.jar)} held", file=sys.stderr)


addons = [BenchJar()]
