"""Where connections go and whom they trust: TLS verification and proxies, settled once per client.

Everything here is decided when a client is created, from its arguments and (with ``trust_env``)
the environment: ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/``NO_PROXY`` through the standard
library's :func:`urllib.request.getproxies`, and ``SSL_CERT_FILE``/``SSL_CERT_DIR`` through
:func:`ssl.get_default_verify_paths`. Nothing is read again per request: aiohttp's own
``trust_env`` would look the proxy variables and ``~/.netrc`` up in a worker thread on every
request, which is why the session keeps it off and this module does the job once.

It knows no aiohttp: the transport hands what it computes (an :class:`ssl.SSLContext` or
``False``, a proxy URL) to aiohttp as plain arguments.
"""

from __future__ import annotations

import functools
import os
import ssl
import warnings
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

__all__ = ["NetworkConfig", "Verify", "check_proxy_url"]

#: What ``verify=`` accepts: ``True`` (the system's authorities), ``False`` (no verification),
#: the path of a CA bundle file or directory, or a ready :class:`ssl.SSLContext`.
Verify = bool | str | os.PathLike[str] | ssl.SSLContext

_PROXY_SCHEMES = frozenset({"http", "https"})


@attrs.frozen
class NetworkConfig:
    """How one client connects: its TLS context and its proxies.

    Attributes:
        ssl: what aiohttp gets as ``ssl=``: a context, or ``False`` for no verification.
        proxy: the proxy every request goes through, when one was given (``proxy=``).
        env_proxies: the proxies the environment names, by scheme (``"no"`` holds
            ``NO_PROXY``); empty without ``trust_env``.
        secrets: credentials in the proxy URLs, kept out of every error message.
    """

    ssl: ssl.SSLContext | bool
    proxy: str | None = None
    env_proxies: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)

    @classmethod
    def build(cls, *, verify: Verify, proxy: str | None, trust_env: bool) -> NetworkConfig:
        """Check the arguments and read the environment (once). Raises ``ValueError`` /
        ``TypeError`` naming the argument; a message never repeats a proxy's password."""
        if not isinstance(trust_env, bool):
            raise TypeError(f"trust_env must be True or False, got {type(trust_env).__name__}")
        context = ssl_for(verify, trust_env=trust_env)
        env: dict[str, str] = {}
        if proxy is not None:
            proxy = check_proxy_url(proxy, "proxy")
        elif trust_env:
            env = _env_proxies()
        secrets = tuple(
            secret
            for url in ([proxy] if proxy else [v for k, v in env.items() if k != "no"])
            for secret in _credentials(url)
        )
        return cls(ssl=context, proxy=proxy, env_proxies=env, secrets=secrets)

    def proxy_for(self, scheme: str, host: str, port: int | None) -> str | None:
        """The proxy for a request to ``scheme://host:port``, or ``None`` to connect directly."""
        if self.proxy is not None:
            return self.proxy
        env = self.env_proxies
        if not env:
            return None
        url = env.get(scheme) or env.get("all")
        if url is None:
            return None
        import urllib.request  # noqa: PLC0415 - slow to import; only with proxies

        where = host if port is None else f"{host}:{port}"
        if urllib.request.proxy_bypass_environment(where, env):  # type: ignore[attr-defined]
            return None
        return url


def ssl_for(verify: Verify, *, trust_env: bool) -> ssl.SSLContext | bool:
    """The TLS setting for ``verify`` (see :data:`Verify`)."""
    if verify is True:
        paths = ssl.get_default_verify_paths()
        if trust_env:  # SSL_CERT_FILE / SSL_CERT_DIR when set (and present), else OpenSSL's own
            return _context(paths.cafile, paths.capath)
        cafile = paths.openssl_cafile if os.path.isfile(paths.openssl_cafile) else None
        capath = paths.openssl_capath if os.path.isdir(paths.openssl_capath) else None
        return _context(cafile, capath)
    if verify is False:
        return False
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str | os.PathLike):
        path = os.fspath(verify)
        if not isinstance(path, str):
            raise TypeError("verify must be a str path, not bytes")
        if os.path.isdir(path):
            return _loaded(None, path)
        if not os.path.isfile(path):
            raise ValueError(f"verify: no CA bundle file or directory at {path!r}")
        return _loaded(path, None)
    raise TypeError(
        "verify must be True, False, the path of a CA bundle, or an ssl.SSLContext; "
        f"got {type(verify).__name__}"
    )


@functools.lru_cache(maxsize=8)
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A verifying context trusting these locations; one per distinct pair, shared by every
    client (building one reads the whole bundle, which takes milliseconds)."""
    return ssl.create_default_context(cafile=cafile, capath=capath)


def _loaded(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (ssl.SSLError, OSError) as exc:
        where = cafile or capath
        raise ValueError(
            f"verify: {where!r} is not a readable CA bundle ({exc.strerror or exc})"
        ) from None


def check_proxy_url(url: object, name: str) -> str:
    """``url`` if it is an http(s) proxy URL; else a ``ValueError`` naming ``name`` (the
    message never repeats the URL, which may carry a password)."""
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a URL string, got {type(url).__name__}")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{name} is not a valid URL") from None
    if parts.scheme not in _PROXY_SCHEMES or not parts.hostname:
        raise ValueError(
            f"{name} must be an http:// or https:// proxy URL such as 'http://proxy:3128' "
            f"(got scheme {parts.scheme!r})"
        )
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError(f"{name} must be a proxy address (scheme, host and port) only")
    return url.strip()


def _env_proxies() -> dict[str, str]:
    """The environment's proxies (``getproxies()``), keeping only those aiohttp can use."""
    import urllib.request  # noqa: PLC0415 - slow to import (http.client, email...)

    found = urllib.request.getproxies()
    out: dict[str, str] = {}
    for scheme, value in found.items():
        if scheme == "no":
            out["no"] = value
            continue
        if scheme not in {"http", "https", "all"}:
            continue
        url = value if "://" in value else "http://" + value  # "proxy:3128", as curl reads it
        try:
            out[scheme] = check_proxy_url(url, f"the {scheme.upper()}_PROXY environment variable")
        except (TypeError, ValueError) as exc:
            warnings.warn(f"{exc}; it is ignored", UserWarning, stacklevel=2)
    return out


def _credentials(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    if parts.username and parts.password:
        found.append(f"{parts.username}:{parts.password}")
    return [secret for secret in found if secret]
