vcl 4.1;
# Varnish as the viewers' edge in front of openivs: one node or the cluster's nodes (README, "Serving viewers through a
# CDN"). Viewers cost the origin about one request per part, playlist version and rendition, whatever their number:
#
#   players ── HTTP :6081 ──▶ varnishd (this file) ──▶ node A | B | C  (a node pulls playback it does not own)
#
#   varnishd -F -a :6081 -f /path/to/varnish-openivs.vcl -s malloc,256m \
#     $(grep -v '^#' /path/to/varnish-openivs.params | sed 's/^/-p /')    # worker threads sized for held requests
#   openivs start --playback-base-url http://edge.example:6081 --viewer-address-header x-viewer-address ...
#
# Why Varnish and not nginx proxy_cache: an LL-HLS part (or blocking playlist reload) is requested by every viewer
# before it exists; the origin holds the first request until the part is cut. nginx's proxy_cache_lock makes the
# other viewers re-check the cache every 500 ms, so they get the part up to half a second late (a part lasts about
# that long); Varnish's waiting list hands the object to all of them the moment its headers arrive, and streams it.
#
# What this file adds to "cache what openivs says, for as long as it says" (Cache-Control):
#  1. Viewer sessions (`vs=`, on media-playlist URLs) leave the cache key, so all viewers share playlists; each
#     viewer's playlist request still reaches the origin in a short slot every 10 s (a heartbeat, passed through,
#     never coalesced), so openivs keeps counting viewers (viewerCount, the concurrent-viewers quota). The slot comes
#     from the session id and the media sequence number (LL-HLS) or the clock (other reloads), so the heartbeats of
#     many viewers spread evenly over the 10 s.
#  2. Private channels: the session credential (a path segment `a.<payload>.<mac>`) leaves the cache key too. Before
#     a viewer gets anything under it, the edge asks the origin whether the credential is good for this rendition,
#     Origin and country (a HEAD of the rendition's media playlist under it, remembered 5 s, so a revocation or key
#     deletion takes effect at the edge within 5 s), and only then answers from the shared copy. A refused credential
#     gets the origin's own refusal.
#  3. The viewer's address goes to the origin in X-Viewer-Address (per-address viewer-counting bounds); a country
#     header set by a CDN or GeoIP proxy in front (CloudFront-Viewer-Country here) is passed on, and responses of
#     channels with a restriction policy name it in Vary, so each country has its own copy (and a refused country
#     never gets one). Cookies and Authorization never reach a playback cache entry.

import std;
import directors;

probe openivs_health {
    .request = "GET /_openivs/health HTTP/1.1" "Host: openivs" "Connection: close";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

# Blocking reloads and hinted parts are held at the origin for up to three target durations (6 s); prefetch
# segments stream for a segment's duration.
backend node_a {
    .host = "127.0.0.1";
    .port = "18081";
    .connect_timeout = 2s;
    .first_byte_timeout = 20s;
    .between_bytes_timeout = 20s;
    .probe = openivs_health;
}
backend node_b {
    .host = "127.0.0.1";
    .port = "18082";
    .connect_timeout = 2s;
    .first_byte_timeout = 20s;
    .between_bytes_timeout = 20s;
    .probe = openivs_health;
}
backend node_c {
    .host = "127.0.0.1";
    .port = "18083";
    .connect_timeout = 2s;
    .first_byte_timeout = 20s;
    .between_bytes_timeout = 20s;
    .probe = openivs_health;
}

sub vcl_init {
    # One channel's cache misses go to one node (the hash of its playback key), so a node that does not own it pulls
    # each object once; a node that fails its probe is skipped.
    new origins = directors.hash();
    origins.add_backend(node_a, 1);
    origins.add_backend(node_b, 1);
    origins.add_backend(node_c, 1);
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Our own markers are never the viewer's to set.
        unset req.http.X-Openivs-Check;
        unset req.http.X-Openivs-Url;
        unset req.http.X-Openivs-Refused;
        unset req.http.X-Openivs-Beat;
        set req.http.X-Viewer-Address = client.ip;
    }
    set req.backend_hint = origins.backend(regsub(req.url, "^/api/video/v1/([^/.]+\.[0-9]+\.channel\.[A-Za-z0-9]+).*$", "\1"));
    # The API, the player page and preflights: straight through.
    if (req.url !~ "^/api/video/v1/" || (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    unset req.http.Cookie;
    unset req.http.Authorization;
    # The multivariant playlist is per viewer (viewer session, token, quota, restriction): always the origin's.
    if (req.url ~ "^/api/video/v1/[^/]+\.m3u8") {
        return (pass);
    }
    if (req.http.X-Openivs-Refused) {
        return (pass);
    }
    if (req.url ~ "[?&]vs=") {
        # Heartbeat slot: 5 slots by the session id's last character; LL-HLS blocking reloads beat on part 0 of one
        # segment in 5 (msn's last digit), other reloads in one 2-s window in 10 s (the clock's last second digit).
        set req.http.X-Openivs-Beat = regsub(req.url, "^.*[?&]vs=[A-Za-z0-9_-]*([A-Za-z0-9_-])(&.*)?$", "\1");
        if (req.url ~ "[?&]_HLS_msn=") {
            if (req.url ~ "[?&]_HLS_part=0*(&|$)" || req.url !~ "[?&]_HLS_part=") {
                set req.http.X-Openivs-Beat = "m" + regsub(req.url, "^.*[?&]_HLS_msn=[0-9]*([0-9])(&.*)?$", "\1") + ":" + req.http.X-Openivs-Beat;
            }
        } else {
            set req.http.X-Openivs-Beat = "t" + regsub("" + now, "^.*:[0-9]([0-9]) GMT$", "\1") + ":" + req.http.X-Openivs-Beat;
        }
        if (req.http.X-Openivs-Beat ~ "^(m[05]|t[01]):[A-M]$|^(m[16]|t[23]):[N-Z]$|^(m[27]|t[45]):[a-m]$|^(m[38]|t[67]):[n-z]$|^(m[49]|t[89]):[0-9_-]$") {
            return (pass);
        }
        unset req.http.X-Openivs-Beat;
        set req.url = regsub(regsuball(req.url, "([?&])vs=[^&]*(&|$)", "\1"), "[?&]$", "");
    }
    if (req.restarts == 0 && req.url ~ "^/api/video/v1/[^/]+/st-[A-Za-z0-9]+/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/") {
        # Private: check the credential first (for the rendition, with the viewer's Origin and country).
        set req.http.X-Openivs-Url = req.url;
        set req.http.X-Openivs-Check = "1";
        set req.url = regsub(req.url, "^(/api/video/v1/[^/]+/st-[A-Za-z0-9]+/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/[a-z0-9_]+)[./?].*$", "\1.m3u8");
    }
    return (hash);
}

sub vcl_hash {
    if (req.http.X-Openivs-Check) {
        hash_data("credential-check");
        hash_data(req.url);
        hash_data(req.http.Origin);
        hash_data(req.http.CloudFront-Viewer-Country);
    } else if (req.http.X-Openivs-Url) {
        # A checked private session: shared by every viewer of the channel, whatever their credential (the response
        # varies on Origin when it must), and apart from the public path, which must never hit it.
        hash_data("private");
        hash_data(regsub(req.url, "/a\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/", "/"));
    } else {
        hash_data(req.url);
    }
    return (lookup);
}

sub vcl_backend_fetch {
    if (bereq.http.X-Openivs-Check) {
        # Kept on the backend request (openivs ignores it) to tell the check's response apart below.
        set bereq.method = "HEAD";
    }
    unset bereq.http.X-Openivs-Url;
    unset bereq.http.X-Openivs-Refused;
    unset bereq.http.X-Openivs-Beat;
}

sub vcl_backend_response {
    # A stale playlist is a late player: nothing is served past its lifetime.
    set beresp.grace = 0s;
    if (bereq.http.X-Openivs-Check) {
        # A credential check: good for 5 s, a refusal for 1 s.
        unset beresp.http.Vary;
        if (beresp.status == 200) {
            set beresp.ttl = 5s;
        } else {
            set beresp.ttl = 1s;
        }
        return (deliver);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Errors (a part asked for too early, an offline channel) and what openivs says not to keep: not stored, and not
    # remembered as uncacheable either (the part will exist in a moment and must then be shared).
    if (beresp.status >= 400 || beresp.http.Cache-Control ~ "(?i)no-store|no-cache|private") {
        set beresp.ttl = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Parts and prefetch segments arrive while they are written: every waiting viewer gets the bytes as they come.
    set beresp.do_stream = true;
    return (deliver);
}

sub vcl_deliver {
    if (req.http.X-Openivs-Check) {
        unset req.http.X-Openivs-Check;
        set req.url = req.http.X-Openivs-Url;
        if (resp.status != 200) {
            # The viewer gets the origin's own refusal (its JSON body), for its own request.
            set req.http.X-Openivs-Refused = "1";
        }
        return (restart);
    }
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}
