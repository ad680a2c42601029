import { ApiProperty } from '@nestjs/swagger';
import { FINDING_SEEN_BY_MAX } from './reports-query.dto.js';

/* What GET /api/v1/reports/findings answers (the other reports' answers: reports-response.dto.ts). */

export class FindingSampleDto {
  @ApiProperty() tickId!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'persona_actions.seq of the call that showed it.',
  })
  seq!: number | null;
  @ApiProperty() personaId!: string;
  @ApiProperty({ description: 'The check that failed.' }) check!: string;
  @ApiProperty() expected!: string;
  @ApiProperty() got!: string;
  @ApiProperty({ enum: ['oracle', 'llm', 'call'] }) source!: string;
  @ApiProperty() createdAt!: string;
}

/** A persona that saw a finding group, by name. */
export class FindingPersonaDto {
  @ApiProperty({ format: 'uuid', description: 'The persona’s user id.' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() email!: string;
}

export class PlantedFaultMatchDto {
  @ApiProperty() faultId!: string;
  @ApiProperty({ description: 'Catalog id of the planted defect.' }) defect!: string;
}

export class FindingGroupDto {
  @ApiProperty() module!: string;
  @ApiProperty() tool!: string;
  @ApiProperty({ enum: ['error', 'slow', 'wrong_result', 'lost_write', 'contract', 'confusing'] })
  class!: string;
  @ApiProperty({
    enum: ['open', 'gone'],
    description:
      'open: at least one of the 3 newest ticks (before `to`) that called this tool, or reported a finding on it, produced this group; gone otherwise.',
  })
  state!: string;
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
  @ApiProperty({ description: 'Findings in the group.' }) count!: number;
  @ApiProperty({ description: 'Distinct ticks that produced it.' }) ticks!: number;
  @ApiProperty({ description: 'Distinct personas that found it.' }) personas!: number;
  @ApiProperty({
    type: [FindingPersonaDto],
    description: `The personas that found it, sorted by name (email when unnamed), at most ${FINDING_SEEN_BY_MAX}; \`personas\` is the full count.`,
  })
  seenBy!: FindingPersonaDto[];
  @ApiProperty({ type: [String], description: 'Distinct check names, sorted.' }) checks!: string[];
  @ApiProperty({ type: [FindingSampleDto], description: 'Up to 3 newest findings as evidence.' })
  samples!: FindingSampleDto[];
  @ApiProperty({
    type: PlantedFaultMatchDto,
    nullable: true,
    description:
      'A fault whose catalog (module, tool, class) equals the group’s and that was planted when one of the group’s findings was made (planted_at ≤ finding < cleared_at); the newest such plant.',
  })
  matchesPlantedFault!: PlantedFaultMatchDto | null;
}

export class FindingsReportDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() sort!: string;
  @ApiProperty({ description: "true: the personas' own mistakes; false: the app's findings." })
  personaMistakes!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The personaId filter applied (only the groups this persona saw); null: every persona.',
  })
  personaId!: string | null;
  @ApiProperty({ type: [FindingGroupDto] }) items!: FindingGroupDto[];
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
}
