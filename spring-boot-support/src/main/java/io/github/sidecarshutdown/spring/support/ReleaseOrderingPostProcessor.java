package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;

/**
 * Puts the {@link SidecarReleaseHandler} first among the disposable beans, before any application
 * bean is created, so that Spring destroys it last; and keeps Spring from calling
 * {@link ShutdownCoordinator#shutdown()} as an inferred destroy method of a coordinator bean (that
 * call would join the running sequence while beans are being destroyed and hold the close until
 * the deadline, since the sidecar-release signal only comes after the last bean).
 */
final class ReleaseOrderingPostProcessor implements BeanFactoryPostProcessor {

    static final String HANDLER_BEAN_NAME = "sidecarReleaseHandler";

    private static final Logger logger = LoggerFactory.getLogger(ReleaseOrderingPostProcessor.class);

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
        if (!beanFactory.containsSingleton(HANDLER_BEAN_NAME)) {
            SidecarReleaseHandler handler = new SidecarReleaseHandler();
            beanFactory.registerSingleton(HANDLER_BEAN_NAME, handler);
            if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
                // Registered now, destroyed last: destroySingletons() walks disposables in reverse.
                registry.registerDisposableBean(HANDLER_BEAN_NAME, handler);
            }
        }
        for (String name : beanFactory.getBeanNamesForType(ShutdownCoordinator.class, true, false)) {
            try {
                BeanDefinition bd = beanFactory.getBeanDefinition(name);
                if (bd instanceof AbstractBeanDefinition abd && AbstractBeanDefinition.INFER_METHOD.equals(abd.getDestroyMethodName())) {
                    abd.setDestroyMethodName("");
                    logger.debug("Bean '{}': not calling ShutdownCoordinator.shutdown() as a destroy method", name);
                }
            } catch (NoSuchBeanDefinitionException e) {
                // a manually registered singleton: Spring infers no destroy method for it
            }
        }
    }
}
