package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.StartupPolicy;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingKey;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.sidecar.SidecarMode;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Turns a startup failure caused by a bad {@code sidecar.shutdown.*} value into Spring Boot's
 * "APPLICATION FAILED TO START" report, whether the value was refused while binding (by the core's
 * parser, see {@link DurationSettingBindHandler}, or by Spring's) or later by the core's checks: the
 * property as the user wrote it ({@code sidecar.shutdown.gracePeriod},
 * {@code SIDECAR_SHUTDOWN_GRACE_PERIOD}...), the value as written, where it came from (property
 * source and origin, e.g. {@code application.properties} line and column, the command line, the
 * environment), what is wrong, and the accepted forms. Ordered first, ahead of Spring Boot's own
 * bind failure analyzer, which knows nothing of the accepted forms. Registered in
 * {@code META-INF/spring.factories}.
 */
public final class InvalidSettingFailureAnalyzer implements FailureAnalyzer, Ordered {

    private static final String PREFIX = "sidecar.shutdown.";

    private final @Nullable Environment environment;

    /**
     * @param environment the failed application's environment, where a value refused after
     *     binding is looked up for its source; Spring Boot passes it (null when there is none)
     */
    public InvalidSettingFailureAnalyzer(@Nullable Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        InvalidSettingException invalid = findCause(failure, InvalidSettingException.class);
        BindException bind = findCause(failure, BindException.class);
        ConfigurationProperty property = null;
        SettingKey setting = null;
        if (bind != null && bind.getProperty() != null && bind.getProperty().getName().toString().startsWith(PREFIX)) {
            property = bind.getProperty();
            setting = settingOf(property.getName().toString());
        }
        if (setting == null && invalid != null && invalid.source().startsWith(PREFIX)) {
            setting = invalid.setting();
            property = lookup(setting.propertyName());
        }
        if (setting == null) {
            return null; // not a sidecar.shutdown.* property: Spring Boot's analyzers explain it
        }
        String written = property != null ? nameAsWritten(property, setting) : setting.propertyName();
        Object value = property != null ? property.getValue() : (invalid != null ? invalid.value() : null);
        String problem = invalid != null ? problemOf(invalid) : reparse(setting, value, failure);

        StringBuilder description = new StringBuilder()
                .append("Invalid value for '").append(written).append("' (the sidecar-shutdown setting ")
                .append(setting.propertyName()).append(", environment variable ").append(setting.envName()).append("):")
                .append(System.lineSeparator()).append(System.lineSeparator())
                .append("    Property: ").append(written).append(System.lineSeparator())
                .append("    Value: ").append(value == null ? "(none)" : "\"" + value + "\"")
                // refused by a check across settings while this one was never set: say so
                .append(property == null && invalid != null && environment != null ? " (not set in any property source: the default)" : "")
                .append(System.lineSeparator());
        String source = property != null ? sourceName(property) : null;
        if (source != null) {
            description.append("    Source: ").append(source).append(System.lineSeparator());
        }
        if (property != null && property.getOrigin() != null) {
            description.append("    Origin: ").append(property.getOrigin()).append(System.lineSeparator());
        }
        description.append("    Reason: ").append(problem);
        String action = "Update '" + written + "'" + (source != null ? " in " + source : "") + ": it takes "
                + setting.kind().accepted() + ". Every sidecar.shutdown.* property is listed, with its default, in the "
                + "starter's configuration metadata.";
        return new FailureAnalysis(description.toString(), action, failure);
    }

    private static @Nullable SettingKey settingOf(String propertyName) {
        java.util.List<SettingKey> all = new java.util.ArrayList<>(Arrays.asList(Setting.values()));
        all.addAll(io.github.sidecarshutdown.sidecar.Meshes.settings());
        return all.stream().filter(s -> s.propertyName().equals(propertyName)).findFirst().orElse(null);
    }

    /** The property as the app's environment has it, from the source that wins (as the binder saw it). */
    private @Nullable ConfigurationProperty lookup(String propertyName) {
        if (environment == null) {
            return null;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(propertyName);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty property = source.getConfigurationProperty(name);
            if (property != null) {
                return property;
            }
        }
        return null;
    }

    private static @Nullable String sourceName(ConfigurationProperty property) {
        Object underlying = property.getSource() != null ? property.getSource().getUnderlyingSource() : null;
        return underlying instanceof PropertySource<?> ps ? ps.getName() : null;
    }

    /**
     * The key the user wrote: Spring binds {@code sidecar.shutdown.gracePeriod} and
     * {@code SIDECAR_SHUTDOWN_GRACE_PERIOD} to the same canonical name, and a message should quote
     * what can be found in the user's files.
     */
    private static String nameAsWritten(ConfigurationProperty property, SettingKey setting) {
        Object underlying = property.getSource() != null ? property.getSource().getUnderlyingSource() : null;
        if (underlying instanceof EnumerablePropertySource<?> ps) {
            for (String key : ps.getPropertyNames()) {
                if (key.equalsIgnoreCase(setting.envName())) {
                    return key;
                }
                if (ConfigurationPropertyName.isValid(key) || key.indexOf('.') > 0) {
                    ConfigurationPropertyName adapted = ConfigurationPropertyName.adapt(key, '.');
                    if (adapted.equals(property.getName())) {
                        return key;
                    }
                }
            }
        }
        return property.getName().toString();
    }

    /** The core's own words for what is wrong, without the "Invalid name=value: " it starts with. */
    private static String problemOf(InvalidSettingException e) {
        String message = String.valueOf(e.getMessage());
        String prefix = "Invalid " + e.source() + "=" + (e.value() == null ? "null" : "'" + e.value() + "'") + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /**
     * Spring refused the value before the core saw it (a word for an enum, a URL, a boolean): ask the
     * core's parser for its reason, so that the report reads the same as for the environment
     * variables; Spring's own reason if the core would take the value.
     */
    private static String reparse(SettingKey setting, @Nullable Object value, Throwable failure) {
        String raw = value == null ? "" : value.toString();
        try {
            switch (setting.kind()) {
                case DURATION:
                    SettingParser.duration(setting, setting.propertyName(), raw);
                    break;
                case BOOLEAN:
                    SettingParser.bool(setting, setting.propertyName(), raw);
                    break;
                case URL:
                    SettingParser.url(setting, setting.propertyName(), raw);
                    break;
                case ENUM:
                    if (setting == Setting.STARTUP_POLICY) {
                        SettingParser.oneOf(setting, setting.propertyName(), raw, StartupPolicy.class);
                    } else if (setting == Setting.WORKLOAD) {
                        SettingParser.oneOf(setting, setting.propertyName(), raw, io.github.sidecarshutdown.Workload.class);
                    } else {
                        SettingParser.oneOf(setting, setting.propertyName(), raw,
                                io.github.sidecarshutdown.sidecar.Meshes.modes().stream().map(SidecarMode::name).toList());
                    }
                    break;
                default:
                    SettingParser.path(setting, setting.propertyName(), raw);
                    break;
            }
        } catch (InvalidSettingException e) {
            return problemOf(e);
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static <T extends Throwable> @Nullable T findCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
