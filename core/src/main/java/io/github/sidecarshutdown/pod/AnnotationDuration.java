package io.github.sidecarshutdown.pod;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;

/**
 * Names a duration read from an annotation in the setting parser's messages; the readers rethrow
 * its errors naming the annotation as written, so only its kind matters.
 */
enum AnnotationDuration implements SettingKey {
    KEY;

    @Override
    public String key() {
        return "annotation";
    }

    @Override
    public String builderMethod() {
        return "annotation";
    }

    @Override
    public Setting.Kind kind() {
        return Setting.Kind.DURATION;
    }
}
