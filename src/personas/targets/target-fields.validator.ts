import { ValidatorConstraint } from 'class-validator';
import type { ValidationArguments, ValidatorConstraintInterface } from 'class-validator';
import { envMapProblem, headerMapProblem, semanticsProblem, targetUrlProblem } from './target-draft.js';

/**
 * class-validator rules for the targets API and the persona's `targetHeaders`, each answering the
 * message of the pure rule in target-draft.ts (field and header named, never a value). Used as
 * `@Validate(HeaderMapRule)`; the property's name is the field the message names.
 */
abstract class ProblemRule implements ValidatorConstraintInterface {
  protected abstract problem(field: string, value: unknown): string | undefined;

  validate(value: unknown, args: ValidationArguments): boolean {
    return this.problem(args.property, value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return this.problem(args.property, args.value) ?? `${args.property} is not valid`;
  }
}

@ValidatorConstraint({ name: 'headerMap' })
export class HeaderMapRule extends ProblemRule {
  protected problem(field: string, value: unknown): string | undefined {
    return headerMapProblem(field, value);
  }
}

@ValidatorConstraint({ name: 'envMap' })
export class EnvMapRule extends ProblemRule {
  protected problem(field: string, value: unknown): string | undefined {
    return envMapProblem(field, value);
  }
}

@ValidatorConstraint({ name: 'targetUrl' })
export class TargetUrlRule extends ProblemRule {
  protected problem(_field: string, value: unknown): string | undefined {
    return targetUrlProblem(value);
  }
}

@ValidatorConstraint({ name: 'semanticsDocument' })
export class SemanticsRule extends ProblemRule {
  protected problem(_field: string, value: unknown): string | undefined {
    return semanticsProblem(value);
  }
}
