package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingParser;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Makes the core's parser ({@link SettingParser#duration}) the one that reads the starter's
 * duration properties (fields marked {@link DurationSetting}), so that a value means the same as in
 * the {@code SIDECAR_SHUTDOWN_*} variables of a plain-Java app: {@code 1m30s} and {@code 1.5s} are
 * accepted, a bare number is refused (its unit would be a guess), and a bad value fails with the
 * core's reason and accepted forms. Every other property keeps Spring's conversion.
 *
 * <p>A bind handler rather than a {@code @ConfigurationPropertiesBinding} converter: when a
 * converter refuses a value, Spring Boot's binder tries its other conversion services, whose
 * duration converter would take {@code 30} as 30 ms. The handler sees the raw value after Spring's
 * conversion, succeeded or failed, and decides with the core's parser.
 */
final class DurationSettingBindHandler extends AbstractBindHandler {

    DurationSettingBindHandler(BindHandler parent) {
        super(parent);
    }

    @Override
    public @Nullable Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Object result) {
        Object converted = super.onSuccess(name, target, context, result);
        Duration ours = parse(target, context);
        return ours != null ? ours : converted;
    }

    @Override
    public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error)
            throws Exception {
        // Spring refused it ("1m30s") or the core did (thrown from onSuccess): the core's word counts
        Duration ours = parse(target, context);
        return ours != null ? ours : super.onFailure(name, target, context, error);
    }

    /** The core's reading of the raw value, or null when the target is not one of ours or has no value. */
    private static @Nullable Duration parse(Bindable<?> target, BindContext context) {
        DurationSetting marker = target.getAnnotation(DurationSetting.class);
        ConfigurationProperty property = context.getConfigurationProperty();
        if (marker == null || property == null || property.getValue() == null) {
            return null;
        }
        String raw = property.getValue().toString().trim();
        if (raw.isEmpty()) {
            return null; // as Spring does: an empty value leaves the default
        }
        Setting setting = marker.value();
        return SettingParser.duration(setting, setting.propertyName(), raw);
    }
}
