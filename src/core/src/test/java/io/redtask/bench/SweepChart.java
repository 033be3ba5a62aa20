package io.redtask.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The worker-sweep chart as a small self-contained SVG: RedTask's bulk throughput against the
 * number of workers (log2 axis) as a line, other systems' figures from the same run as marked
 * points. Written by hand so the bench needs no charting library.
 */
final class SweepChart {

    private static final int W = 640;
    private static final int H = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 170;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private SweepChart() {}

    static String svg(List<Report.Point> sweep, List<Report.Point> marks) {
        double maxY = 0;
        int maxX = 1;
        for (Report.Point p : sweep) {
            maxY = Math.max(maxY, p.perSecond());
            maxX = Math.max(maxX, p.concurrency());
        }
        for (Report.Point p : marks) {
            maxY = Math.max(maxY, p.perSecond());
            maxX = Math.max(maxX, p.concurrency());
        }
        double top = niceCeiling(maxY);
        double log2MaxX = Math.max(1, Math.log(maxX) / Math.log(2));
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n",
                W,
                H,
                W,
                H));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"18\" font-size=\"14\">No-op tasks/s, bulk submit, by workers (same run)</text>\n",
                LEFT));
        // Axes, grid and labels.
        for (int i = 0; i <= 4; i++) {
            double v = top * i / 4;
            double y = y(v, top);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%,.0f</text>\n",
                    LEFT,
                    y,
                    W - RIGHT,
                    y,
                    LEFT - 6,
                    y + 4,
                    v));
        }
        for (int w = 1; w <= maxX; w *= 2) {
            double x = x(w, log2MaxX);
            s.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    x,
                    TOP,
                    x,
                    H - BOTTOM,
                    x,
                    H - BOTTOM + 16,
                    w));
        }
        s.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">workers</text>\n",
                (LEFT + W - RIGHT) / 2,
                H - 12));
        // RedTask's sweep as a line with dots.
        StringBuilder path = new StringBuilder();
        for (Report.Point p : sweep) {
            path.append(path.length() == 0 ? "M" : " L")
                    .append(String.format(
                            Locale.ROOT, "%.1f %.1f", x(p.concurrency(), log2MaxX), y(p.perSecond(), top)));
        }
        s.append("<path d=\"")
                .append(path)
                .append("\" fill=\"none\" stroke=\"")
                .append(COLOURS[0])
                .append("\" stroke-width=\"2\"/>\n");
        for (Report.Point p : sweep) {
            s.append(circle(x(p.concurrency(), log2MaxX), y(p.perSecond(), top), COLOURS[0]));
        }
        Map<String, String> legend = new LinkedHashMap<>();
        legend.put("RedTask (in-process)", COLOURS[0]);
        List<String> systems = new ArrayList<>();
        for (Report.Point p : marks) {
            if (!systems.contains(p.system())) {
                systems.add(p.system());
            }
            String colour = COLOURS[(1 + systems.indexOf(p.system())) % COLOURS.length];
            legend.put(p.system(), colour);
            double x = x(p.concurrency(), log2MaxX);
            double y = y(p.perSecond(), top);
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>\n",
                    x - 4,
                    y - 4,
                    colour));
        }
        int ly = TOP + 10;
        for (Map.Entry<String, String> e : legend.entrySet()) {
            s.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                    W - RIGHT + 15,
                    ly - 9,
                    e.getValue(),
                    W - RIGHT + 30,
                    ly,
                    escape(e.getKey())));
            ly += 18;
        }
        return s.append("</svg>\n").toString();
    }

    private static String circle(double x, double y, String colour) {
        return String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", x, y, colour);
    }

    private static double x(int workers, double log2MaxX) {
        return LEFT + (W - LEFT - RIGHT) * (Math.log(workers) / Math.log(2)) / log2MaxX;
    }

    private static double y(double v, double top) {
        return H - BOTTOM - (H - TOP - BOTTOM) * v / top;
    }

    /** The next round number above {@code v} (a few steps per power of ten, so the line fills the chart). */
    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
