package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.config.Setting;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.time.Duration} field of {@link SidecarShutdownProperties} as the given core
 * setting, so that {@link DurationSettingBindHandler} reads it, and only it, with the core's parser
 * (Spring Boot's binder hands a field's annotations to its bind handlers).
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@interface DurationSetting {

    /** The core setting the field holds. */
    Setting value();
}
