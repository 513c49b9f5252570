/**
 * What `docker build` sends as its context: .dockerignore patterns with Docker's rules (Go filepath.Match plus `**`,
 * a pattern also matching a path's parent folders, `!` re-including, the last matching pattern winning), and the
 * Dockerfile's instructions grouped by build stage (parsed with dockerfile-ast).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

interface IgnorePattern {
  readonly regex: RegExp;
  readonly include: boolean;
}

function patternRegex(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index]!;
    if (pattern.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (pattern.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (character === '*') source += '[^/]*';
    else if (character === '?') source += '[^/]';
    else source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The patterns of a .dockerignore file, in order. */
export function readDockerignore(file: string): IgnorePattern[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = path.posix.normalize((include ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/+$/, '');
      return { regex: patternRegex(pattern), include };
    });
}

/** Whether `relativePath` (posix, from the context root) is sent to the builder. */
export function isInContext(patterns: readonly IgnorePattern[], relativePath: string): boolean {
  const parts = relativePath.split('/');
  const candidates = parts.map((_part, index) => parts.slice(0, index + 1).join('/'));
  let included = true;
  for (const pattern of patterns) {
    if (candidates.some((candidate) => pattern.regex.test(candidate))) included = pattern.include;
  }
  return included;
}

export interface BuildStage {
  /** `AS` name, or its index. */
  readonly name: string;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

/** The stages of a Dockerfile, each with the instructions that follow its FROM. */
export function readBuildStages(file: string): BuildStage[] {
  const instructions = DockerfileParser.parse(fs.readFileSync(file, 'utf8')).getInstructions();
  const stages: { name: string; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', , name] = instruction.getArguments().map((argument) => argument.getValue());
      stages.push({ name: name ?? String(stages.length), image, instructions: [] });
    } else stages[stages.length - 1]?.instructions.push(instruction);
  }
  return stages;
}
