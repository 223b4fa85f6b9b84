"use client";

import { useSyncExternalStore } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface ChartPoint {
  label: string;
  [series: string]: number | string;
}

const noSubscription = () => () => undefined;

/**
 * A stacked bar chart of one activity series, drawn only in the browser: recharts sizes itself from
 * the DOM, and styles it sets from script pass the Content-Security-Policy where server-rendered
 * style attributes would not. The figures are also in a visually hidden table, the chart's text
 * alternative; the drawing itself is hidden from assistive technology.
 */
export function ActivityChart({ title, caption, points, series }: { title: string; caption: string; points: ChartPoint[]; series: ChartSeries[] }) {
  const inBrowser = useSyncExternalStore(noSubscription, () => true, () => false);
  return (
    <figure className="space-y-2">
      <figcaption className="text-sm text-slate-600">{caption}</figcaption>
      <div className="h-56 w-full" aria-hidden="true" data-testid={`chart-${title}`}>
        {inBrowser ? (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={points} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              {/* Colours from the theme's --chart-* tokens (globals.css), whose contrast a test checks in both themes. */}
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--chart-grid)" />
              <XAxis
                dataKey="label"
                tick={{ fontSize: 11, fill: "var(--chart-text)" }}
                stroke="var(--chart-grid)"
                interval="preserveStartEnd"
                minTickGap={16}
              />
              <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: "var(--chart-text)" }} stroke="var(--chart-grid)" width={48} />
              <Tooltip
                cursor={{ fill: "var(--chart-grid)", fillOpacity: 0.3 }}
                contentStyle={{ background: "var(--chart-surface)", borderColor: "var(--chart-border)", color: "var(--chart-text)" }}
                labelStyle={{ color: "var(--chart-text)" }}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {series.map((entry) => (
                // The card-coloured outline parts the stacked bars, so each needs contrast only with the card.
                <Bar
                  key={entry.key}
                  dataKey={entry.key}
                  name={entry.label}
                  stackId="total"
                  fill={entry.color}
                  stroke="var(--chart-surface)"
                  strokeWidth={1}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <table className="sr-only">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {series.map((entry) => (
              <th key={entry.key} scope="col">
                {entry.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {points.map((point) => (
            <tr key={point.label}>
              <th scope="row">{point.label}</th>
              {series.map((entry) => (
                <td key={entry.key}>{point[entry.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
