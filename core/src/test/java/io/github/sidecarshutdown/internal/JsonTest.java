package io.github.sidecarshutdown.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesObjectsArraysAndLiteralsInOrder() {
        // when
        Object v = Json.parse(" {\"b\": [1, true, false, null, \"x\"],\n\t\"a\": {}, \"c\": []}\r\n");

        // then
        assertThat(v).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("b", "a", "c");
        assertThat(m.get("b")).isEqualTo(Arrays.asList(new BigDecimal("1"), true, false, null, "x"));
        assertThat(m.get("a")).isEqualTo(Map.of());
        assertThat(m.get("c")).isEqualTo(List.of());
    }

    @Test
    void duplicateKeysKeepTheLastValue() {
        // when / then
        assertThat(Json.parse("{\"k\":1,\"k\":2}")).isEqualTo(Map.of("k", new BigDecimal("2")));
    }

    @Test
    void roundTripFromTextIsStable() {
        // given
        String compact = "{\"version\":\"abc/1.34.2\",\"n\":[0,-1,3.25,1E+3,12345678901234567890],"
                + "\"ok\":true,\"none\":null,\"nested\":{\"list\":[[],{}],\"s\":\"a\\\"b\\\\c\\nd\"}}";

        // when
        String written = Json.write(Json.parse(compact));

        // then
        assertThat(written).isEqualTo(compact);
        assertThat(Json.parse(written)).isEqualTo(Json.parse(compact));
    }

    @Test
    void roundTripFromJavaValues() {
        // given
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "tab\there \u00e9 \ud83d\ude00 \u0001");
        m.put("count", new BigDecimal("42"));
        m.put("flag", false);
        m.put("missing", null);
        m.put("list", new ArrayList<>(Arrays.asList(new BigDecimal("1.5"), "two", null)));

        // when
        Object back = Json.parse(Json.write(m));

        // then
        assertThat(back).isEqualTo(m);
    }

    @Test
    void writesOtherJavaTypes() {
        // given
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("long", 5_000_000_000L);
        m.put("int", 7);
        m.put("set", new LinkedHashSet<>(List.of("a", "b")));
        m.put("duration", Duration.ofSeconds(5));
        m.put("quote", "say \"hi\"\r\n");

        // when
        String json = Json.write(m);

        // then
        assertThat(json).isEqualTo("{\"long\":5000000000,\"int\":7,\"set\":[\"a\",\"b\"],\"duration\":\"PT5S\","
                + "\"quote\":\"say \\\"hi\\\"\\r\\n\"}");
        assertThat(Json.write(null)).isEqualTo("null");
    }

    @Test
    void everyEscapeIsRead() {
        // when
        Object s = Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t u\\u0041\\u00e9\"");

        // then
        assertThat(s).isEqualTo("q\" b\\ s/ \b\f\n\r\t uA\u00e9");
    }

    @Test
    void unicodeEscapesAndRawCharactersIncludingSurrogatePairs() {
        // when / then
        assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
        assertThat(Json.parse("\"gr\u00fc\u00df \u4e16\u754c \ud83d\ude00\"")).isEqualTo("gr\u00fc\u00df \u4e16\u754c \ud83d\ude00");
        assertThat(Json.quote("\u4e16\ud83d\ude00")).isEqualTo("\"\u4e16\ud83d\ude00\"");
    }

    @Test
    void quoteEscapesControlCharacters() {
        // when / then
        assertThat(Json.quote("a\u0000b\u001fc\u0008")).isEqualTo("\"a\\u0000b\\u001fc\\u0008\"");
        assertThat(Json.quote(null)).isEqualTo("null");
        assertThat(Json.parse(Json.quote("a\u0000b\u001f"))).isEqualTo("a\u0000b\u001f");
    }

    @ParameterizedTest
    @CsvSource({"0,0", "-0,0", "-1,-1", "3.14,3.14", "1e3,1E+3", "-2.5E-3,-0.0025", "12345678901234567890,12345678901234567890"})
    void numbersAreExactBigDecimals(String text, String expected) {
        // when
        Object n = Json.parse(text);

        // then
        assertThat(n).isInstanceOf(BigDecimal.class);
        assertThat((BigDecimal) n).isEqualByComparingTo(new BigDecimal(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``|0|unexpected end",
        "{\"a\":1,}|7|expected a string key",
        "[1 2]|3|expected ',' or ']'",
        "{\"a\" 1}|5|expected ':'",
        "{\"a\":1 \"b\":2}|7|expected ',' or '}'",
        "tru|0|expected true",
        "nul|0|expected null",
        "{} x|3|trailing characters",
        "\"abc|4|unexpected end",
        "[1,2|4|unexpected end",
        "\"\\x\"|3|bad escape \\x",
        "\"\\u12\"|3|short \\u escape",
        "\"\\uZZZZ\"|3|bad \\u escape",
        "1.2.3|0|bad number '1.2.3'",
        "-|0|bad number '-'",
        "+1|0|unexpected character '+'",
        "{'a':1}|1|expected a string key",
        "[1,]|3|unexpected character ']'"
    })
    void errorsNameTheOffset(String text, int offset, String what) {
        // when / then
        assertThatThrownBy(() -> Json.parse(text))
                .isExactlyInstanceOf(Json.JsonException.class)
                .hasMessage("malformed JSON at offset " + offset + ": " + what);
    }

    @Test
    void controlCharacterInsideStringIsRefused() {
        // when / then
        assertThatThrownBy(() -> Json.parse("\"a\nb\""))
                .isInstanceOf(Json.JsonException.class)
                .hasMessage("malformed JSON at offset 3: control character in string");
    }

    @Test
    void overlongNumberIsRefused() {
        // when / then
        assertThatThrownBy(() -> Json.parse("1".repeat(101)))
                .isInstanceOf(Json.JsonException.class)
                .hasMessageEndingWith("number too long");
        assertThat(Json.parse("1".repeat(100))).isEqualTo(new BigDecimal("1".repeat(100)));
    }

    @Test
    void hugeExponentIsAJsonErrorNotANumberFormatException() {
        // when / then
        assertThatThrownBy(() -> Json.parse("1e99999999999"))
                .isExactlyInstanceOf(Json.JsonException.class);
    }

    @Test
    void nestingUpToTheLimitParses() {
        // given
        String deep = "[".repeat(64) + "]".repeat(64);
        String deepObjects = "{\"a\":".repeat(63) + "{}" + "}".repeat(63);

        // when / then
        assertThat(Json.parse(deep)).isInstanceOf(List.class);
        assertThat(Json.parse(deepObjects)).isInstanceOf(Map.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {66, 1_000, 100_000})
    void nestingPastTheLimitIsRefusedWithoutStackOverflow(int depth) {
        // given
        String arrays = "[".repeat(depth) + "]".repeat(depth);
        String objects = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);

        // when / then
        assertThatThrownBy(() -> Json.parse(arrays))
                .isExactlyInstanceOf(Json.JsonException.class)
                .hasMessageEndingWith("nested deeper than 64");
        assertThatThrownBy(() -> Json.parse(objects))
                .isExactlyInstanceOf(Json.JsonException.class)
                .hasMessageEndingWith("nested deeper than 64");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u2028", "\u001b", "\u0085", "[1,\u2029]", "\"\\\n\"", "\"\\\u2028\""})
    void errorMessagesNeverCarryTheControlCharacterTheyReport(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class)
                .satisfies(e -> assertThat(e.getMessage().chars()
                        .noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'))
                        .as(e.getMessage()).isTrue());
    }
}
