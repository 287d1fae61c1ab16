// Fake but realistic-looking patient, study and equipment attributes for a synthetic study, drawn from the
// seed. None of these name a real person: names are combined from short common lists.
import type { Random } from './random.ts';

const GIVEN_FEMALE = ['JANE', 'MARY', 'ANNA', 'LINDA', 'SARAH', 'EMMA', 'GRACE', 'NORA', 'ALICE', 'RUTH'];
const GIVEN_MALE = ['JOHN', 'PETER', 'DAVID', 'JAMES', 'OMAR', 'KARL', 'LUCAS', 'HENRY', 'SAMUEL', 'LEON'];
const FAMILY = [
  'DOE',
  'ROE',
  'SMITH',
  'MILLER',
  'NOVAK',
  'GARCIA',
  'JENSEN',
  'MORI',
  'KOWALSKI',
  'BERG',
  'OKAFOR',
];
const INSTITUTIONS = [
  'Synthetic General Hospital',
  'Phantom Valley Clinic',
  'Example University Medical Centre',
];
const MODELS = ['Phantom CT 64', 'Phantom CT 128', 'Phantom CT Flash'];
const KERNELS = ['STANDARD', 'B30f', 'FC13', 'LUNG', 'B45f'];

export interface PatientIdentity {
  patientName: string;
  patientId: string;
  birthDate: string;
  sex: 'F' | 'M';
  age: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  studyId: string;
  institution: string;
  model: string;
  deviceSerial: string;
  kernel: string;
  kvp: number;
  tubeCurrent: number;
  exposureTime: number;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function drawIdentity(random: Random): PatientIdentity {
  const sex = random.bool() ? 'F' : 'M';
  const given = random.pick(sex === 'F' ? GIVEN_FEMALE : GIVEN_MALE);
  const year = random.int(2015, 2025);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  const ageYears = random.int(35, 85);
  const birthYear = year - ageYears - (random.bool() ? 1 : 0);
  return {
    patientName: `${random.pick(FAMILY)}^${given}`,
    patientId: `SYN${random.digits(7)}`,
    birthDate: `${birthYear}${pad(random.int(1, 12), 2)}${pad(random.int(1, 28), 2)}`,
    sex,
    age: `${pad(ageYears, 3)}Y`,
    studyDate: `${year}${pad(month, 2)}${pad(day, 2)}`,
    studyTime: `${pad(random.int(7, 19), 2)}${pad(random.int(0, 59), 2)}${pad(random.int(0, 59), 2)}`,
    accessionNumber: `A${random.digits(9)}`,
    studyId: String(random.int(1000, 99999)),
    institution: random.pick(INSTITUTIONS),
    model: random.pick(MODELS),
    deviceSerial: random.digits(6),
    kernel: random.pick(KERNELS),
    kvp: random.pick([100, 120, 120, 140]),
    tubeCurrent: random.int(80, 350),
    exposureTime: random.int(400, 1000),
  };
}
