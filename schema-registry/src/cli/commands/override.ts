import { definesField, FieldOverride, overridesIn, parseCoordinate, percentLabel, withOverride, withoutField } from '../../domain/progressive-override';
import { Command, InputError, parseCommandArgs, UsageError } from '../command';
import { formatOption, numberOption, required } from '../options';
import { checkAndPublish, edit, PublishedSubgraph, subgraphNamed, variantSubgraphs } from '../override-step';
import { RegistryClient } from '../registry-client';

/**
 * `ficus override start|set|finish|remove`: the steps of Apollo's progressive @override, each a
 * checked publish. Start: the new owner declares the field with `@override(from:, label:
 * "percent(N)")`. Set: another N (lowering it is the rollback). Finish: a plain @override, all
 * of it to the new owner. Remove: the old owner deletes the field; the registry refuses this
 * while the override is still partial (PARTIAL_OVERRIDE_FIELD_REMOVED).
 */

const env = 'FICUS_REGISTRY_URL and FICUS_API_KEY (scopes check and publish) configure the registry.';
const exit = 'Exit: 0 published (or unchanged), 1 the check failed, the publish was refused or the step does not apply, 2 bad usage.';

function refAndCoordinate(positionals: string[]): { ref: string; coordinate: string } {
  if (positionals.length !== 2) throw new UsageError('give a graph ref and a field coordinate, e.g. shop@current Product.slug');
  const [ref, coordinate] = positionals as [string, string];
  try {
    parseCoordinate(coordinate);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { ref, coordinate };
}

function percentArg(value: string | undefined, fallback?: number): number {
  const percent = numberOption(value, '--percent') ?? fallback;
  if (percent === undefined) throw new UsageError('--percent <0-100> is required');
  try {
    percentLabel(percent);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return percent;
}

/** The one @override on the field in the variant, and the subgraph that declares it. */
function currentOverride(subgraphs: PublishedSubgraph[], ref: string, coordinate: string): { override: FieldOverride; owner: PublishedSubgraph } {
  const found = subgraphs.flatMap((s) => edit(() => overridesIn(s.name, s.sdl)).filter((o) => o.coordinate === coordinate).map((override) => ({ override, owner: s })));
  if (found.length === 0) throw new InputError(`no subgraph in ${ref} overrides ${coordinate}: begin with ficus override start`, 'NOT_FOUND');
  if (found.length > 1) throw new InputError(`${found.map((f) => f.owner.name).join(' and ')} both override ${coordinate}`, 'OVERRIDE_STEP_INVALID');
  return found[0]!;
}

function share(percent: number, from: string, to: string, coordinate: string): string {
  return `${to} now serves ${percent}% of ${coordinate}'s requests, ${from} the other ${100 - percent}%`;
}

export const overrideStart: Command = {
  noun: 'override',
  verb: 'start',
  summary: 'Begin moving a field to another subgraph: publish it there with @override(from:, label: "percent(N)")',
  usage: [
    'Usage: ficus override start <graph@variant> <Type.field> --from <old owner> --to <new owner> [--percent <0-100>] [--format human|json]',
    '',
    "  Edits the new owner's published SDL: the field (copied from the old owner when missing) gets",
    '  @override(from: "<old owner>", label: "percent(N)"), N default 0; deploy the new owner able to',
    '  resolve the field first. Checked against client usage, then published.',
    '',
    exit,
    env,
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, {
      from: { type: 'string' },
      to: { type: 'string' },
      percent: { type: 'string' },
      format: { type: 'string' },
    });
    const { ref, coordinate } = refAndCoordinate(positionals);
    const from = required(options.from, '--from <old owner>');
    const to = required(options.to, '--to <new owner>');
    if (from === to) throw new UsageError('--from and --to must name two subgraphs');
    const percent = percentArg(options.percent, 0);
    const format = formatOption(options.format);
    const subgraphs = await variantSubgraphs(new RegistryClient(io.env), ref);
    const old = subgraphNamed(subgraphs, from, ref);
    const owner = subgraphNamed(subgraphs, to, ref);
    if (!edit(() => definesField(old.sdl, coordinate))) {
      throw new InputError(`"${from}" does not declare ${coordinate}: there is nothing to move`, 'OVERRIDE_STEP_INVALID');
    }
    const other = edit(() => overridesIn(to, owner.sdl)).find((o) => o.coordinate === coordinate && o.from !== from);
    if (other) throw new InputError(`"${to}" already overrides ${coordinate} from "${other.from}"`, 'OVERRIDE_STEP_INVALID');
    const sdl = edit(() => withOverride(owner.sdl, coordinate, from, percentLabel(percent), old.sdl));
    return checkAndPublish({ ref, coordinate, subgraph: owner, sdl, outcome: share(percent, from, to, coordinate), format }, io);
  },
};

export const overrideSet: Command = {
  noun: 'override',
  verb: 'set',
  summary: "Change the share of a field's requests its new owner serves (lower it to roll back)",
  usage: [
    'Usage: ficus override set <graph@variant> <Type.field> --percent <0-100> [--format human|json]',
    '',
    '  Rewrites the label of the @override on the field to "percent(N)": the new owner serves N% of',
    '  the requests, the old owner the rest. Lowering N is the rollback; 0 gives it all back.',
    '',
    exit,
    env,
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { percent: { type: 'string' }, format: { type: 'string' } });
    const { ref, coordinate } = refAndCoordinate(positionals);
    const percent = percentArg(options.percent);
    const format = formatOption(options.format);
    const subgraphs = await variantSubgraphs(new RegistryClient(io.env), ref);
    const { override, owner } = currentOverride(subgraphs, ref, coordinate);
    const old = subgraphs.find((s) => s.name === override.from);
    if (!old || !edit(() => definesField(old.sdl, coordinate))) {
      throw new InputError(`"${override.from}" no longer declares ${coordinate}: the move is over, there is no share to set`, 'OVERRIDE_STEP_INVALID');
    }
    const sdl = edit(() => withOverride(owner.sdl, coordinate, override.from, percentLabel(percent)));
    return checkAndPublish({ ref, coordinate, subgraph: owner, sdl, outcome: share(percent, override.from, owner.name, coordinate), format }, io);
  },
};

export const overrideFinish: Command = {
  noun: 'override',
  verb: 'finish',
  summary: 'Give a field wholly to its new owner: a plain @override, without a label',
  usage: [
    'Usage: ficus override finish <graph@variant> <Type.field> [--format human|json]',
    '',
    '  Drops the label of the @override on the field: the new owner serves every request. The old',
    '  owner still declares the field (its rollback stays one ficus override set away) until',
    '  ficus override remove.',
    '',
    exit,
    env,
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const { ref, coordinate } = refAndCoordinate(positionals);
    const format = formatOption(options.format);
    const subgraphs = await variantSubgraphs(new RegistryClient(io.env), ref);
    const { override, owner } = currentOverride(subgraphs, ref, coordinate);
    const sdl = edit(() => withOverride(owner.sdl, coordinate, override.from, null));
    return checkAndPublish({ ref, coordinate, subgraph: owner, sdl, outcome: `${owner.name} now serves all of ${coordinate}`, format }, io);
  },
};

export const overrideRemove: Command = {
  noun: 'override',
  verb: 'remove',
  summary: 'Delete a moved field from its old owner (refused while the override is partial)',
  usage: [
    'Usage: ficus override remove <graph@variant> <Type.field> [--format human|json]',
    '',
    "  Publishes the old owner's SDL without the field. The registry refuses it while the @override",
    '  still has a partial label (PARTIAL_OVERRIDE_FIELD_REMOVED): run ficus override finish first.',
    "  Deploy the old owner without the field's resolver only after this publish.",
    '',
    exit,
    env,
  ].join('\n'),

  async run(args, io) {
    const { values: options, positionals } = parseCommandArgs(args, { format: { type: 'string' } });
    const { ref, coordinate } = refAndCoordinate(positionals);
    const format = formatOption(options.format);
    const subgraphs = await variantSubgraphs(new RegistryClient(io.env), ref);
    const { override } = currentOverride(subgraphs, ref, coordinate);
    const old = subgraphNamed(subgraphs, override.from, ref);
    if (!edit(() => definesField(old.sdl, coordinate))) {
      throw new InputError(`"${old.name}" no longer declares ${coordinate}: it was removed already`, 'OVERRIDE_STEP_INVALID');
    }
    const sdl = edit(() => withoutField(old.sdl, coordinate));
    return checkAndPublish({ ref, coordinate, subgraph: old, sdl, outcome: `${coordinate} is gone from ${old.name}`, format }, io);
  },
};
