package io.github.sidecarshutdown.examples.spring3;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Prints readiness changes; {@code APP_READY port=N} when Spring turns readiness on, which the
 * starter holds back until the sidecar is ready.
 */
@Component
class ReadinessPrinter implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

    private final Environment environment;

    ReadinessPrinter(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
        Env.event("readiness " + event.getState());
        if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
            System.out.println("APP_READY port=" + environment.getProperty("local.server.port"));
            System.out.flush();
        }
    }
}
