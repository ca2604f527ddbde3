package io.github.sidecarshutdown.testkit.emulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The outbound proxy only reaches loopback targets: the emulator must never send traffic off the machine.
 * Host names other than {@code localhost} are refused without any DNS lookup.
 */
final class LoopbackTargets {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private LoopbackTargets() {
    }

    /** The loopback address for {@code host}, or {@code null} if it is not a loopback target. */
    static @Nullable InetAddress resolve(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (!IPV4.matcher(h).matches() && !h.contains(":")) {
            return null; // a name: refusing it avoids resolving it
        }
        try {
            InetAddress address = InetAddress.getByName(h); // a literal: no lookup happens
            return address.isLoopbackAddress() ? address : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Splits {@code host[:port]} (IPv6 in brackets) with a default port. */
    static @Nullable HostPort hostPort(String authority, int defaultPort) {
        String host = authority;
        int port = defaultPort;
        int colon = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        if (colon > 0 && colon > bracket) {
            host = authority.substring(0, colon);
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (host.isEmpty() || port <= 0 || port > 65535) {
            return null;
        }
        return new HostPort(host, port);
    }

    /** A host and a port. */
    record HostPort(String host, int port) {
    }
}
