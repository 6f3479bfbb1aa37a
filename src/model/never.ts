/** @file The exhaustiveness check of every switch over a closed set in src/model. */

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
