/**
 * @file The plain-data inputs of the accelerator model: a problem (an Einsum's iteration space and the
 * projections of its data spaces), an architecture (a chain of storage levels with spatial fan-outs,
 * ending in an array of compute units, with per-action energies and per-instance areas) and a mapping
 * (per level: temporal loops, spatial loops, kept tensors). These are Timeloop-like on purpose, so that
 * the Timeloop v4 reader, our own YAML specs and (later) a cascade adapter can all produce them.
 * No behaviour lives here.
 */

// ---------------------------------------------------------------------------------------------------
// Problem

/** One term of an affine rank expression: `coefficient · dim`. */
export interface ProjectionTerm {
  readonly dim: string;
  readonly coefficient: number;
}

/** A tensor rank's index as a sum of terms; a plain rank-subset projection has one term with coefficient 1. */
export type ProjectionRank = readonly ProjectionTerm[];

export interface DataSpace {
  readonly name: string;
  /** One entry per tensor rank, outermost rank first. */
  readonly projection: readonly ProjectionRank[];
  /** Timeloop's `read_write: true`: the Einsum's output (read-modify-write). */
  readonly isOutput: boolean;
}

/**
 * An Einsum as the model sees it: the iteration space and the tensors it touches. Treated as immutable:
 * the model caches its binding per Problem object (evaluate many mappings of one problem cheaply).
 */
export interface Problem {
  readonly name: string;
  /** Iteration-space dimensions and their sizes, in a fixed order. */
  readonly dimensions: Readonly<Record<string, number>>;
  readonly dataSpaces: readonly DataSpace[];
}

// ---------------------------------------------------------------------------------------------------
// Architecture

/**
 * Energy of one storage action in pJ, per access of one block (a row of `blockSize` words), as an
 * Accelergy/Timeloop ERT gives it; `leak` is per instance per cycle.
 */
export interface StorageEnergy {
  readonly read: number;
  readonly write: number;
  readonly update: number;
  readonly leak: number;
}

interface LevelBase {
  readonly name: string;
  /** Child instances per instance of this level along X and Y; the level's spatial loops spread over them. */
  readonly fanoutX: number;
  readonly fanoutY: number;
  /** Area of one instance in µm² (from the spec or an ART); 0 when unknown. */
  readonly area: number;
}

/** Off-chip memory: unbounded capacity. */
export interface DramLevel extends LevelBase {
  readonly kind: 'dram';
  /** Words per access (Timeloop: width / datawidth). */
  readonly blockSize: number;
  readonly energy: StorageEnergy;
}

/** An on-chip buffer or register file: `depth` rows of `blockSize` words per instance. */
export interface BufferLevel extends LevelBase {
  readonly kind: 'buffer';
  readonly depth: number;
  readonly blockSize: number;
  readonly energy: StorageEnergy;
}

/** A pure fan-out stage that stores nothing (Timeloop's `dummy_storage`), e.g. a row of PEs. */
export interface SpatialLevel extends LevelBase {
  readonly kind: 'spatial';
}

export type StorageLevel = DramLevel | BufferLevel | SpatialLevel;
export type LevelKind = StorageLevel['kind'];

/** One kind of functional unit inside every compute element (mac, add, max, exp, divide, ...). */
export interface ComputeUnit {
  readonly name: string;
  /** pJ per operation. */
  readonly energy: number;
  /** µm² per unit. */
  readonly area: number;
}

export interface ComputeArray {
  /** Name of the compute level (Timeloop prints it as `=== mac ===`). */
  readonly name: string;
  /** The units present in every compute element; the first is the default one. */
  readonly units: readonly ComputeUnit[];
}

export interface Architecture {
  readonly name: string;
  readonly wordBits: number;
  /** Storage levels, outermost (DRAM) first. The compute array sits below the last one. */
  readonly levels: readonly StorageLevel[];
  readonly compute: ComputeArray;
  /** Seconds per cycle, when known (Timeloop's global_cycle_seconds). */
  readonly cycleSeconds?: number;
  /** DRAM bandwidth in bytes per second, when known; the model itself never throttles (as Timeloop here). */
  readonly dramBandwidth?: number;
}

// ---------------------------------------------------------------------------------------------------
// Mapping

export interface Loop {
  readonly dim: string;
  readonly bound: number;
}

/** The mapping at one storage level. Loops with bound 1 are allowed and ignored. */
export interface LevelMapping {
  readonly level: string;
  /** Temporal loops, outermost first. */
  readonly temporal: readonly Loop[];
  /** Spatial loops over this level's X and Y fan-out, outermost first (Timeloop nests Y outside X). */
  readonly spatialX: readonly Loop[];
  readonly spatialY: readonly Loop[];
  /** Tensors this level stores; absent means the default (all for dram/buffer, none for spatial). */
  readonly keep?: readonly string[];
}

export interface Mapping {
  /** Level mappings, any order; levels left out have no loops and the default keep set. */
  readonly levels: readonly LevelMapping[];
  /** Operations per compute, by unit name (e.g. `{ mac: 6, add: 1 }`); default: one of the first unit. */
  readonly computeCost?: Readonly<Record<string, number>>;
}

// ---------------------------------------------------------------------------------------------------
// Options

/**
 * `physical` (default) counts what a machine would do; `artifact` reproduces the published tool chain's
 * quirks (Timeloop's uint64 wrap in partition sizes, float32 areas): see artifact-fidelity.ts.
 */
export type Fidelity = 'physical' | 'artifact';
