package io.github.sidecarshutdown.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.sidecarshutdown.sidecar.MeshSetting;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The grammars written out by hand so that a build loads no regex on the app's path to Ready
 * (docs/timeline.md, "Off the startup path") accept and refuse exactly what the regexes they
 * replaced did: each is run against that regex over a corpus of edge cases and random strings
 * drawn from the characters that matter.
 */
class HandWrittenGrammarTest {

    private static final Random RANDOM = new Random(24);

    /** Random strings of up to {@code max} characters from {@code alphabet}, after the fixed cases. */
    private static List<String> corpus(String alphabet, int max, int count, String... fixed) {
        List<String> out = new ArrayList<>(List.of(fixed));
        for (int i = 0; i < count; i++) {
            int n = RANDOM.nextInt(max + 1);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void credentialsAreFoundAndRedactedAsTheRegexDid() {
        Pattern credentials = Pattern.compile("^(\\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");
        List<String> urls = corpus("ab1+.-:/@?# \tH", 16, 20_000, "http://user:pw@127.0.0.1:15000", " http://a@b@c/d@e",
                "http://127.0.0.1:15000/@x", "1http://a@b", "http:/a@b", "\t\nx+y://@", "http://a?b@c", "http://a#@", "://a@b", "");
        for (String url : urls) {
            String expected = credentials.matcher(url).replaceFirst("$1<redacted>@");
            assertThat(SettingParser.redact(url)).as("redact(\"%s\")", url).isEqualTo(expected);
        }
    }

    @Test
    void urlsWithCredentialsAreRefusedAsTheRegexDid() {
        Pattern credentials = Pattern.compile("^(\\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");
        for (String url : List.of("http://u:p@127.0.0.1:1", " http://u@localhost:1", "http://127.0.0.1:1/a@b", "http://127.0.0.1:1")) {
            Throwable t = catchThrowable(() -> SettingParser.url(io.github.sidecarshutdown.istio.IstioMesh.ADMIN_URL, "SIDECAR_SHUTDOWN_ADMIN_URL", url));
            boolean refusedForCredentials = t != null && t.getMessage().contains("credentials");
            assertThat(refusedForCredentials).as(url).isEqualTo(credentials.matcher(url).find());
        }
    }

    @Test
    void loopbackAddressesAreRecognisedAsTheRegexDid() {
        Pattern v4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        List<String> hosts = corpus("127.0349", 17, 20_000, "127.0.0.1", "127.1.2.3", "127.255.255.255", "127.0.0", "127.0.0.1.",
                "127..0.1", "127.0.0.1234", "127.0.0.", "128.0.0.1", "127.", "127.0.0.1 ", "localhost", "::1", "[::1]");
        for (String h : hosts) {
            boolean expected = h.equalsIgnoreCase("localhost") || v4.matcher(h).matches() || h.equals("::1") || h.equals("[::1]");
            assertThat(SettingParser.isLoopback(h)).as("isLoopback(\"%s\")", h).isEqualTo(expected);
        }
    }

    @Test
    void aWholeNumberAndOneUnitParseAsTheirDecimalSpellingDoes() {
        // "5s" takes the short path, "5.0s" the general grammar: same value, or the same refusal.
        List<String> numbers = corpus("0123456789", 11, 3_000, "0", "00", "1", "86400", "86401", "1440", "1441", "24", "25",
                "999999999", "1000000000", "0000000005");
        for (String n : numbers) {
            if (n.isEmpty()) {
                continue;
            }
            for (String unit : List.of("ms", "s", "m", "h")) {
                assertThat(outcome(n + unit)).as(n + unit).isEqualTo(outcome(n + ".0" + unit).replace(n + ".0" + unit, n + unit));
            }
        }
    }

    private static String outcome(String raw) {
        try {
            Duration d = SettingParser.durationFor(Setting.TASK_TIMEOUT, "SIDECAR_SHUTDOWN_TASK_TIMEOUT", raw);
            return "ok " + d;
        } catch (InvalidSettingException e) {
            return "refused " + e.getMessage();
        }
    }

    @Test
    void modeNamesAreCheckedAsTheRegexDid() {
        Pattern name = Pattern.compile("[a-z][a-z0-9-]{0,31}");
        List<String> names = corpus("az09-_A ", 34, 20_000, "istio", "a", "a-", "-a", "1a", "a".repeat(32), "a".repeat(33), "");
        for (String raw : names) {
            String n = raw.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            boolean accepted = catchThrowable(() -> SidecarMode.of(raw)) == null;
            assertThat(accepted).as("SidecarMode.of(\"%s\")", raw).isEqualTo(name.matcher(n).matches());
        }
    }

    @Test
    void meshSettingKeysAreCheckedAsTheRegexDid() {
        Pattern key = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
        List<String> keys = corpus("az09-A", 12, 20_000, "kuma-admin-url", "a", "a-", "-a", "a--b", "a-1", "1a", "a-b-c", "");
        for (String k : keys) {
            boolean accepted = catchThrowable(() -> MeshSetting.url(k, "x", "http://127.0.0.1:1", "d", "l")) == null;
            assertThat(accepted).as("MeshSetting key \"%s\"", k).isEqualTo(key.matcher(k).matches());
        }
    }
}
