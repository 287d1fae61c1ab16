// Public surface of the synthetic-study generator, for the CLI, tests and the model trainer.
export { generateStudy } from './generate-study.ts';
export type { Acquisition, GenerateStudyOptions, NoduleTruth, SampleStudy } from './generate-study.ts';
export type { NoduleAttachment, NoduleType } from './nodules.ts';
export { MASK_FILE, TRUTH_FORMAT, type SampleTruth } from './sample-truth.ts';
export {
  writeSampleStudies,
  writeStudy,
  type WriteSampleOptions,
  type WrittenStudy,
} from './write-sample-studies.ts';
export type { FollowUpOptions, FollowUpTruth, NoduleFate } from './follow-up.ts';
