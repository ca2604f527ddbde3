package io.github.sidecarshutdown.spring;

import io.github.sidecarshutdown.ShutdownPhase;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method a {@link io.github.sidecarshutdown.ShutdownTask} of the app's coordinator.
 * The method takes no argument or one {@link io.github.sidecarshutdown.TaskContext} (use its
 * {@code remaining()} to bound calls); its return value is ignored; what it throws is recorded as
 * the task's failure. Tasks of a phase run in {@link org.springframework.core.annotation.Order @Order}
 * order: the method's own {@code @Order}, else its bean's ({@code @Order} or
 * {@link org.springframework.core.Ordered}), else last; ties keep the order beans were created in.
 *
 * <pre>{@code
 * @SidecarShutdownTask(name = "deregister", phase = ShutdownPhase.EARLY_OUTBOUND, timeout = "3s", retries = 2)
 * void deregister(TaskContext ctx) { registry.deregister(self, ctx.remaining()); }
 * }</pre>
 *
 * Cleanup tasks run while the application context is still fully alive (HTTP clients, data
 * sources), after Spring's graceful shutdown drained inbound requests.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SidecarShutdownTask {

    /**
     * The task's name, used in logs, the report and metric tags: 1-64 letters, digits, '.', '_',
     * ':' or '-'. Default: {@code <beanName>.<methodName>}, with other characters replaced by '-'.
     */
    String name() default "";

    /** The phase; one of EARLY_OUTBOUND, INBOUND_DRAIN, CLEANUP, RELEASE. Default CLEANUP. */
    ShutdownPhase phase() default ShutdownPhase.CLEANUP;

    /**
     * The task's timeout, e.g. {@code 500ms}, {@code 5s}, {@code PT5S}; placeholders such as
     * {@code ${app.cleanup-timeout:5s}} are resolved. Default: {@code sidecar.shutdown.task-timeout}.
     */
    String timeout() default "";

    /** Whether the task's calls go through the sidecar, so the sidecar guard runs before it. */
    NeedsSidecar needsSidecar() default NeedsSidecar.PHASE_DEFAULT;

    /** Retries after a connection failure, within the task's timeout: 0..10. Default 0. */
    int retries() default 0;

    /** Whether a task needs the sidecar to forward its outbound calls. */
    enum NeedsSidecar {
        /** As its phase says: yes for EARLY_OUTBOUND and CLEANUP, no for INBOUND_DRAIN and RELEASE. */
        PHASE_DEFAULT,
        /** Its calls go through the sidecar: check the sidecar can still forward before each attempt. */
        YES,
        /** Local work only: never skipped for the sidecar's sake. */
        NO
    }
}
