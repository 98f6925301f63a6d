"use strict";
/**
 * The telemetry model the agent hands to its exporter worker, and that the OTLP encoders
 * consume. Plain data only (strings, numbers, arrays, plain objects) so a batch crosses to
 * the worker by structured clone. The collector shares these types and nothing else.
 */
Object.defineProperty(exports, "__esModule", { value: true });
