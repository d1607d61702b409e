package org.virtsup.it;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;

/**
 * JUnit's random method order, with the seed printed: the default order of
 * every test class here (src/test/resources/junit-platform.properties), so
 * that a test which only passes after another one has run fails in some run,
 * and that run's order can be repeated with
 * {@code -Djunit.jupiter.execution.order.random.seed=SEED}. JUnit picks a
 * seed too, but logs it only at level CONFIG, which no run shows.
 *
 * <p>A class that must run in a fixed order says so with its own
 * {@code @TestMethodOrder}, and why.
 */
public final class RandomMethodOrder implements MethodOrderer {
    /** One seed for the whole run, as JUnit's own: the printed number repeats every class's order. */
    private static final String RUN_SEED = Long.toString(System.nanoTime());
    /** The classes whose order was printed: a run may order a class more than once, always the same way. */
    private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();

    @Override
    public void orderMethods(MethodOrdererContext context) {
        String seed = context.getConfigurationParameter(Random.RANDOM_SEED_PROPERTY_NAME).orElse(RUN_SEED);
        new Random().orderMethods(new WithSeed(context, seed));
        if (!PRINTED.add(context.getTestClass().getName())) {
            return;
        }
        System.out.printf("virtsup-it: %s runs its tests in random order, seed %s (to repeat: -D%s=%s): %s%n",
                context.getTestClass().getSimpleName(), seed, Random.RANDOM_SEED_PROPERTY_NAME, seed,
                context.getMethodDescriptors().stream().map(method -> method.getMethod().getName()).toList());
    }

    /** The class's context, with the seed to use. */
    private record WithSeed(MethodOrdererContext context, String seed) implements MethodOrdererContext {
        @Override
        public Class<?> getTestClass() {
            return context.getTestClass();
        }

        @Override
        public List<? extends MethodDescriptor> getMethodDescriptors() {
            return context.getMethodDescriptors();
        }

        @Override
        public Optional<String> getConfigurationParameter(String key) {
            return Random.RANDOM_SEED_PROPERTY_NAME.equals(key) ? Optional.of(seed)
                    : context.getConfigurationParameter(key);
        }
    }
}
