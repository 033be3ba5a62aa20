package io.redtask.redis;

import redis.clients.jedis.HostAndPort;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Redis URL ({@code scheme://[[user]:password@]h1:p1[,h2:p2...][/path][?name=value&...]}) read
 * by hand, because {@link java.net.URI} reads neither several hosts nor a password holding
 * {@code @ : /}: the user information runs to the <em>last</em> {@code @}, so such a password
 * works written as it is, and percent-encoded ({@code %40} for {@code @}) too. A user
 * information without a colon is a password (Redis's {@code requirepass}).
 *
 * @param scheme   {@code redis}, {@code rediss}, {@code redis-sentinel}...
 * @param tls      whether the scheme starts with {@code rediss}
 * @param user     user (an ACL user), or {@code null}
 * @param password password, or {@code null}
 * @param hosts    the hosts, in order
 * @param path     what follows the first '/' after the hosts (without the query), or empty
 * @param query    the query parameters, decoded
 */
record MultiHostUrl(
        String scheme,
        boolean tls,
        String user,
        String password,
        Set<HostAndPort> hosts,
        String path,
        Map<String, String> query) {

    @Override
    public String toString() {
        return RedisConnections.redact(scheme + "://" + (password == null ? "" : "x:x@") + hosts + "/" + path);
    }

    static MultiHostUrl parse(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException(
                    "redtask.redis.url is not a URL (no '://'): " + RedisConnections.redact(url));
        }
        String scheme = url.substring(0, schemeEnd);
        String rest = url.substring(schemeEnd + 3);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo);
            } else {
                user = colon == 0 ? null : decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        int question = rest.indexOf('?');
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
            rest = rest.substring(0, question);
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        Set<HostAndPort> hosts = new LinkedHashSet<>();
        for (String h : authority.split(",")) {
            hosts.add(hostAndPort(h, url));
        }
        return new MultiHostUrl(scheme, scheme.startsWith("rediss"), user, password, hosts, path, Map.copyOf(query));
    }

    /** {@code host:port}, {@code [::1]:port} or a host alone (port 6379). */
    private static HostAndPort hostAndPort(String h, String url) {
        if (h.isBlank()) {
            throw new IllegalArgumentException("redtask.redis.url has no host: " + RedisConnections.redact(url));
        }
        String host = h;
        int port = 6379;
        int colon = h.lastIndexOf(':');
        boolean ipv6 = h.startsWith("[");
        if (ipv6) {
            int close = h.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("redtask.redis.url: '" + h + "' is not host:port");
            }
            host = h.substring(1, close);
            colon = h.indexOf(':', close);
        }
        if (colon > 0) {
            if (!ipv6) {
                host = h.substring(0, colon);
            }
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("redtask.redis.url: bad port in '" + h + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("redtask.redis.url: port out of range in '" + h + "'");
            }
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("redtask.redis.url: '" + h + "' is not host:port");
        }
        return new HostAndPort(host, port);
    }

    /**
     * Percent-decoding as URLs have it ({@code +} stays a plus, unlike form decoding); text that
     * is not valid percent-encoding is taken as it is.
     */
    static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()
                        || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return s;
                }
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                int cp = s.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
