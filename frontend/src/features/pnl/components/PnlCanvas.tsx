import type { IChartApi, ISeriesApi } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";

import type { ChartPoint } from "../lib/chart-data";
import { crosshairLabel, priceLabel, tickLabel } from "../lib/time-labels";

interface PnlCanvasProps {
  data: ChartPoint[];
  /** Above this the line is green, below it red: the period's start, or zero for P&L. */
  baseline: number;
  /** What the chart shows, for screen readers. */
  label: string;
}

interface Drawn {
  chart: IChartApi;
  series: ISeriesApi<"Baseline">;
}

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** "#3fb950" with an alpha, as the chart's area fills want it. */
function withAlpha(hex: string, alpha: number): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return hex;
  const [r, g, b] = match.slice(1).map((part) => Number.parseInt(part, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** A baseline chart (TradingView's lightweight-charts), loaded on first use to keep it out of the main bundle. */
export function PnlCanvas({ data, baseline, label }: PnlCanvasProps) {
  const host = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let disposed = false;
    import("lightweight-charts")
      .then(({ createChart, BaselineSeries, ColorType }) => {
        if (disposed || !host.current) return;
        const up = cssColor("--up", "#3fb950");
        const down = cssColor("--down", "#f85149");
        const chart = createChart(host.current, {
          autoSize: true,
          layout: {
            background: { type: ColorType.Solid, color: "transparent" },
            textColor: cssColor("--muted", "#8a94a6"),
            // The library's licence asks for its attribution: keep the logo link.
            attributionLogo: true,
          },
          grid: {
            vertLines: { color: cssColor("--border", "#2a313c") },
            horzLines: { color: cssColor("--border", "#2a313c") },
          },
          rightPriceScale: { borderColor: cssColor("--border", "#2a313c") },
          timeScale: { borderColor: cssColor("--border", "#2a313c"), timeVisible: true, tickMarkFormatter: tickLabel },
          localization: { timeFormatter: crosshairLabel, priceFormatter: priceLabel },
        });
        const series = chart.addSeries(BaselineSeries, {
          topLineColor: up,
          topFillColor1: withAlpha(up, 0.28),
          topFillColor2: withAlpha(up, 0.04),
          bottomLineColor: down,
          bottomFillColor1: withAlpha(down, 0.04),
          bottomFillColor2: withAlpha(down, 0.28),
          lineWidth: 2,
        });
        drawn.current = { chart, series };
        setReady(true);
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      drawn.current?.chart.remove();
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    if (!ready || !drawn.current) return;
    drawn.current.series.applyOptions({ baseValue: { type: "price", price: baseline } });
    drawn.current.series.setData(data);
    drawn.current.chart.timeScale().fitContent();
  }, [ready, data, baseline]);

  if (failed) {
    return <p className="muted">The chart could not be drawn in this browser.</p>;
  }
  return <div ref={host} className="pnl-chart" role="img" aria-label={label} data-testid="pnl-chart" />;
}
