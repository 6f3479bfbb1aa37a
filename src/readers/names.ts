/** @file Schemas shared by the spec kinds: identifiers and positive integers. */
import { z } from 'zod';

/** Dimension, tensor, level and unit names: identifiers. */
export const Identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _; not starting with a digit)');

export const PositiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const NonNegative = z.number().nonnegative();
