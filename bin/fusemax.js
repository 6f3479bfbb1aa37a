#!/usr/bin/env node
// The `fusemax` command: registers the TypeScript loader, then hands over to the CLI entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
