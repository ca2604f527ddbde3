package io.github.sidecarshutdown.spring.support.grpc;

import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Moves a gRPC framework's server lifecycle to another phase. Spring gRPC's and {@code net.devh}'s
 * {@code GrpcServerLifecycle} stop at {@code Integer.MAX_VALUE}, before any other lifecycle: the
 * server would refuse calls before readiness is even off, and wait for its calls while nothing tells
 * the library. Placed below the library's cleanup lifecycle, the library's drain task stops the
 * server after the propagation delay; the framework's own stop comes afterwards and finds it
 * terminated (or, with the library's drain skipped, still stops it). The lifecycle also starts
 * earlier (a lower phase starts first): still after every bean was created.
 *
 * <p>The bean is replaced by a class-based proxy of the framework's type (so injection by type still
 * works) that answers {@code getPhase()} itself and passes every other call to the framework's bean.
 */
public final class GrpcServerLifecyclePhase implements BeanPostProcessor {

    private final Class<?> lifecycleType;
    private final int phase;

    /**
     * @param lifecycleType the framework's server lifecycle class
     * @param phase         the phase it gets
     */
    public GrpcServerLifecyclePhase(Class<?> lifecycleType, int phase) {
        this.lifecycleType = lifecycleType;
        this.phase = phase;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (!lifecycleType.isInstance(bean)) {
            return bean;
        }
        ProxyFactory factory = new ProxyFactory(bean);
        factory.setProxyTargetClass(true);
        factory.addAdvice((MethodInterceptor) invocation -> "getPhase".equals(invocation.getMethod().getName())
                && invocation.getMethod().getParameterCount() == 0 ? phase : invocation.proceed());
        return factory.getProxy(bean.getClass().getClassLoader());
    }
}
