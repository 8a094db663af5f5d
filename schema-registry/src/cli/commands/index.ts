import { Command } from '../command';
import { supergraphCompose } from './supergraph-compose';

/** Every command of the `ficus` CLI; a new command is a module added here. */
export const commands: Command[] = [supergraphCompose];
