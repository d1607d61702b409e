package org.virtsup.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;

/** A registry as Prometheus's text format shows it, and one sample's value read back from it. */
final class Exposition {
    private Exposition() {}

    static String text(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The value of the sample written exactly {@code series} (name and labels), if present. */
    static OptionalDouble value(String text, String series) {
        return text.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).split(" ")[0])).findFirst();
    }

    static double value(PrometheusRegistry registry, String series) {
        String text = text(registry);
        return value(text, series).orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + text));
    }
}
