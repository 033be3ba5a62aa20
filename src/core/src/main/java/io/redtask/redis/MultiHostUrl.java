package io.redtask.redis;

import redis.clients.jedis.HostAndPort;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Redis URL with several hosts ({@code scheme://[user:password@]h1:p1,h2:p2[/path]}), which
 * {@link java.net.URI} cannot read. User and password may be percent-encoded.
 *
 * @param tls      whether the scheme starts with {@code rediss}
 * @param user     user, or {@code null}
 * @param password password, or {@code null}
 * @param hosts    the hosts, in order
 * @param path     what follows the first '/' after the hosts, or empty
 */
record MultiHostUrl(boolean tls, String user, String password, Set<HostAndPort> hosts, String path) {

    static MultiHostUrl parse(String url) {
        int schemeEnd = url.indexOf("://");
        String scheme = url.substring(0, schemeEnd);
        String rest = url.substring(schemeEnd + 3);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo);
            } else {
                user = userInfo.substring(0, colon).isEmpty() ? null : decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }
        Set<HostAndPort> hosts = new LinkedHashSet<>();
        for (String h : authority.split(",")) {
            int colon = h.lastIndexOf(':');
            if (h.isBlank() || colon <= 0 || colon == h.length() - 1) {
                throw new IllegalArgumentException("redtask.redis.url: '" + h + "' is not host:port in "
                        + RedisConnections.redact(url));
            }
            try {
                hosts.add(new HostAndPort(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("redtask.redis.url: bad port in '" + h + "'", e);
            }
        }
        return new MultiHostUrl(scheme.startsWith("rediss"), user, password, hosts, path);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
