"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.nsString = nsString;
exports.encodeTracesJson = encodeTracesJson;
exports.encodeMetricsJson = encodeMetricsJson;
/**
 * OTLP/JSON encoding (the protobuf JSON mapping with OTLP's exceptions: hex trace and span
 * ids, enums as integers, 64-bit integers as decimal strings).
 */
const encode_proto_1 = require("./encode-proto");
function anyValue(v) {
    if (typeof v === 'string')
        return { stringValue: v };
    if (typeof v === 'boolean')
        return { boolValue: v };
    if (typeof v === 'number')
        return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
    if (Array.isArray(v))
        return { arrayValue: { values: v.map(anyValue) } };
    return { stringValue: String(v) };
}
function attrs(a) {
    const out = [];
    if (a === undefined)
        return out;
    for (const key in a) {
        const value = a[key];
        if (value !== undefined && value !== null)
            out.push({ key, value: anyValue(value) });
    }
    return out;
}
/** Epoch ms → unix nanoseconds as a decimal string, exact to the microsecond. */
function nsString(ms) {
    const whole = Math.floor(ms);
    return (BigInt(whole) * 1000000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}
/** Encodes an ExportTraceServiceRequest as OTLP/JSON. */
function encodeTracesJson(res, spans) {
    return JSON.stringify({
        resourceSpans: [
            {
                resource: { attributes: attrs(res.attributes) },
                scopeSpans: (0, encode_proto_1.groupByScope)(spans).map((g) => ({
                    scope: { name: g.name, version: g.version },
                    spans: g.items.map((s) => ({
                        traceId: s.traceId,
                        spanId: s.spanId,
                        traceState: s.traceState,
                        parentSpanId: s.parentSpanId,
                        name: s.name,
                        kind: s.kind,
                        startTimeUnixNano: nsString(s.startMs),
                        endTimeUnixNano: nsString(s.endMs),
                        attributes: attrs(s.attributes),
                        droppedAttributesCount: s.droppedAttributes || undefined,
                        events: (s.events ?? []).map((e) => ({ timeUnixNano: nsString(e.timeMs), name: e.name, attributes: attrs(e.attributes) })),
                        droppedEventsCount: s.droppedEvents || undefined,
                        links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: attrs(l.attributes) })),
                        status: { code: s.statusCode, message: s.statusMessage },
                    })),
                })),
            },
        ],
    });
}
function numberPoint(p) {
    return {
        attributes: attrs(p.attributes),
        startTimeUnixNano: nsString(p.startMs),
        timeUnixNano: nsString(p.timeMs),
        ...(p.isInt ? { asInt: String(Math.round(p.value)) } : { asDouble: p.value }),
    };
}
function histogramPoint(p) {
    return {
        attributes: attrs(p.attributes),
        startTimeUnixNano: nsString(p.startMs),
        timeUnixNano: nsString(p.timeMs),
        count: String(p.count),
        sum: p.sum,
        bucketCounts: p.counts.map(String),
        explicitBounds: p.bounds,
        ...(p.count > 0 ? { min: p.min, max: p.max } : {}),
    };
}
const TEMPORALITY = { delta: 1, cumulative: 2 };
/** Encodes an ExportMetricsServiceRequest as OTLP/JSON. */
function encodeMetricsJson(res, scope, metrics) {
    return JSON.stringify({
        resourceMetrics: [
            {
                resource: { attributes: attrs(res.attributes) },
                scopeMetrics: [
                    {
                        scope,
                        metrics: metrics.map((m) => {
                            const base = { name: m.name, description: m.description, unit: m.unit };
                            if (m.type === 'gauge')
                                return { ...base, gauge: { dataPoints: m.points.map(numberPoint) } };
                            if (m.type === 'sum')
                                return { ...base, sum: { dataPoints: m.points.map(numberPoint), aggregationTemporality: TEMPORALITY[m.temporality], isMonotonic: m.monotonic } };
                            return { ...base, histogram: { dataPoints: m.points.map(histogramPoint), aggregationTemporality: TEMPORALITY[m.temporality] } };
                        }),
                    },
                ],
            },
        ],
    });
}
