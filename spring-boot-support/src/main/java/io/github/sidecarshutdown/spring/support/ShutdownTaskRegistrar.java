package io.github.sidecarshutdown.spring.support;

import io.github.sidecarshutdown.ShutdownCoordinator;
import io.github.sidecarshutdown.ShutdownTask;
import io.github.sidecarshutdown.TaskContext;
import io.github.sidecarshutdown.config.InvalidSettingException;
import io.github.sidecarshutdown.config.Setting;
import io.github.sidecarshutdown.config.SettingParser;
import io.github.sidecarshutdown.spring.SidecarShutdownTask;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.annotation.Order;
import org.springframework.core.annotation.OrderUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Registers the app's shutdown tasks with the coordinator: beans of type {@link ShutdownTask} and
 * methods annotated {@link SidecarShutdownTask}. Methods are collected as beans are initialized (a
 * post-processor, so no bean is created early for it) and everything is registered, sorted by
 * order, once all singletons exist; beans created later (lazy ones) are registered as they come.
 */
final class ShutdownTaskRegistrar implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, EnvironmentAware {

    private static final Logger logger = LoggerFactory.getLogger(ShutdownTaskRegistrar.class);

    /** One task waiting to be registered, with what decides its place. */
    private record Entry(int order, long sequence, ShutdownTask task) {
    }

    private final List<Entry> pending = new ArrayList<>();
    private long sequence;
    private @Nullable ConfigurableListableBeanFactory beanFactory;
    private @Nullable Environment environment;
    private volatile @Nullable ShutdownCoordinator coordinator; // set once singletons exist

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> type = AopUtils.getTargetClass(bean);
        if (!AnnotationUtils.isCandidateClass(type, SidecarShutdownTask.class)) {
            return bean;
        }
        Map<Method, SidecarShutdownTask> methods = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<SidecarShutdownTask>) m -> AnnotatedElementUtils.findMergedAnnotation(m,
                        SidecarShutdownTask.class));
        if (methods.isEmpty()) {
            return bean;
        }
        // Within one bean, sort by name: reflection returns methods in no defined order.
        List<Map.Entry<Method, SidecarShutdownTask>> sorted = new ArrayList<>(methods.entrySet());
        sorted.sort(Comparator.comparing(e -> e.getKey().getName()));
        for (Map.Entry<Method, SidecarShutdownTask> e : sorted) {
            ShutdownTask task = taskFor(bean, beanName, e.getKey(), e.getValue());
            add(orderOf(bean, beanName, e.getKey()), task);
        }
        return bean;
    }

    private synchronized void add(int order, ShutdownTask task) {
        ShutdownCoordinator c = coordinator;
        if (c != null) {
            // Created after startup (a lazy bean): register now, after the others of its phase.
            try {
                c.register(task);
            } catch (IllegalStateException e) {
                logger.warn("Shutdown task '{}' not registered: {}", task.name(), e.getMessage());
            }
            return;
        }
        pending.add(new Entry(order, sequence++, task));
    }

    private int orderOf(Object bean, String beanName, Method method) {
        Order own = AnnotatedElementUtils.findMergedAnnotation(method, Order.class);
        if (own != null) {
            return own.value();
        }
        if (bean instanceof Ordered o) {
            return o.getOrder();
        }
        return beanOrder(beanName, AopUtils.getTargetClass(bean));
    }

    private int beanOrder(String beanName, @Nullable Class<?> type) {
        ConfigurableListableBeanFactory bf = beanFactory;
        if (bf != null && bf.containsBeanDefinition(beanName)) {
            try {
                // Also sees @Order on the @Bean method that declared the bean.
                Order o = bf.findAnnotationOnBean(beanName, Order.class);
                if (o != null) {
                    return o.value();
                }
            } catch (NoSuchBeanDefinitionException e) {
                // an inner bean: fall back to its class
            }
        }
        return type == null ? Ordered.LOWEST_PRECEDENCE : OrderUtils.getOrder(type, Ordered.LOWEST_PRECEDENCE);
    }

    private ShutdownTask taskFor(Object bean, String beanName, Method method, SidecarShutdownTask a) {
        String where = "@SidecarShutdownTask on " + method.getDeclaringClass().getName() + "." + method.getName() + "()";
        Class<?>[] params = method.getParameterTypes();
        boolean takesContext = params.length == 1 && params[0] == TaskContext.class;
        if (params.length > 1 || (params.length == 1 && !takesContext)) {
            throw new BeanInitializationException(where + ": the method must take no argument or one TaskContext");
        }
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        ReflectionUtils.makeAccessible(invocable);
        String name = a.name().isEmpty() ? defaultName(beanName, method) : a.name();
        try {
            ShutdownTask.Builder b = ShutdownTask.builder(name, ctx -> invoke(bean, invocable, takesContext, ctx))
                    .phase(a.phase())
                    .retries(a.retries());
            if (!a.timeout().isBlank()) {
                String raw = environment != null ? environment.resolveRequiredPlaceholders(a.timeout()) : a.timeout();
                b.timeout(SettingParser.duration(Setting.TASK_TIMEOUT, "timeout", raw));
            }
            if (a.needsSidecar() != SidecarShutdownTask.NeedsSidecar.PHASE_DEFAULT) {
                b.needsSidecar(a.needsSidecar() == SidecarShutdownTask.NeedsSidecar.YES);
            }
            return b.build();
        } catch (InvalidSettingException e) {
            // Not passed on as the cause: it would be reported as the task-timeout property.
            throw new BeanInitializationException(where + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BeanInitializationException(where + ": " + e.getMessage(), e);
        }
    }

    static String defaultName(String beanName, Method method) {
        String raw = beanName + "." + method.getName();
        StringBuilder sb = new StringBuilder(raw.length());
        for (char ch : raw.toCharArray()) {
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == ':' || ch == '-';
            sb.append(ok ? ch : '-');
        }
        if (!Character.isLetterOrDigit(sb.charAt(0))) {
            sb.insert(0, 't');
        }
        // Keep the end: the method name tells tasks of one bean apart.
        return sb.length() <= 64 ? sb.toString() : sb.substring(sb.length() - 64).replaceFirst("^[^A-Za-z0-9]+", "");
    }

    private static void invoke(Object bean, Method method, boolean takesContext, TaskContext ctx) throws Exception {
        try {
            if (takesContext) {
                method.invoke(bean, ctx);
            } else {
                method.invoke(bean);
            }
        } catch (InvocationTargetException e) {
            // Report what the method threw, not the reflection wrapper.
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        ConfigurableListableBeanFactory bf = beanFactory;
        if (bf == null) {
            return;
        }
        ShutdownCoordinator c = bf.getBeanProvider(ShutdownCoordinator.class).getIfUnique();
        if (c == null) {
            return;
        }
        List<Entry> all = new ArrayList<>();
        long seq = -1_000_000; // task beans first among equals: they are the explicit form
        for (String name : bf.getBeanNamesForType(ShutdownTask.class)) {
            all.add(new Entry(beanOrder(name, null), seq++, bf.getBean(name, ShutdownTask.class)));
        }
        synchronized (this) {
            all.addAll(pending);
            pending.clear();
            all.sort(Comparator.comparingInt(Entry::order).thenComparingLong(Entry::sequence));
            for (Entry e : all) {
                c.register(e.task());
            }
            coordinator = c;
        }
        if (!all.isEmpty()) {
            logger.debug("Registered shutdown tasks {}", all.stream().map(e -> e.task().name()).toList());
        }
    }
}
