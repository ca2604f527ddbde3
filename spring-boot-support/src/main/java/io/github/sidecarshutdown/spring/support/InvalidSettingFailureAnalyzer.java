package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a startup failure caused by a bad {@code sidecar.shutdown.*} value into Spring Boot's
 * "APPLICATION FAILED TO START" report: the description names the property (and its environment
 * variable), the value and what is wrong; the action says what is accepted. Registered in
 * {@code META-INF/spring.factories}.
 */
public final class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
        Setting s = cause.setting();
        String description = "Invalid value for property '" + s.propertyName() + "' (environment variable " + s.envName() + "): "
                + cause.getMessage();
        String action = "Update '" + s.propertyName() + "' in your configuration: it takes " + s.kind().accepted() + ". "
                + "Every sidecar.shutdown.* property is listed, with its default, in the starter's configuration metadata.";
        return new FailureAnalysis(description, action, cause);
    }
}
