// Reference oracle for Steward's consent-string conformance tests.
//
// Usage:
//   node oracle.mjs decode            JSON Lines of strings on stdin -> one JSON object per line
//   node oracle.mjs generate-tc N S   N random valid TC strings from the IAB encoder, seed S
//   node oracle.mjs generate-gpp N S  N random valid GPP strings from the IAB GPP encoder, seed S
//
// Decoded objects use the names Steward prints: for TC strings the @iabtcf/core names (with
// `useNonStandardTexts` for the library's `useNonStandardStacks`), for GPP sections the names of
// @iabgpp/cmpapi's `toObj()`. A string the reference refuses gives {"ok": false, "error": ...}.
import readline from 'node:readline';
import { GVL, PurposeRestriction, TCModel, TCString } from '@iabtcf/core';
import { GppModel, HeaderV1 } from '@iabgpp/cmpapi';

const ids = (vector) => {
  const out = [];
  for (const [id, on] of vector) if (on) out.push(id);
  return out;
};

function tcFields(encoded) {
  const m = TCString.decode(encoded);
  return {
    version: m.version,
    created: m.created.toISOString(),
    lastUpdated: m.lastUpdated.toISOString(),
    cmpId: m.cmpId,
    cmpVersion: m.cmpVersion,
    consentScreen: m.consentScreen,
    consentLanguage: m.consentLanguage,
    vendorListVersion: m.vendorListVersion,
    policyVersion: m.policyVersion,
    isServiceSpecific: m.isServiceSpecific,
    useNonStandardTexts: m.useNonStandardStacks,
    specialFeatureOptins: ids(m.specialFeatureOptins),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    purposeOneTreatment: m.purposeOneTreatment,
    publisherCountryCode: m.publisherCountryCode,
    vendorConsents: ids(m.vendorConsents),
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    publisherRestrictions: m.publisherRestrictions.getRestrictions().map((pr) => ({
      purpose: pr.purposeId,
      type: pr.restrictionType,
      vendors: m.publisherRestrictions.getVendors(pr),
    })),
    vendorsDisclosed: ids(m.vendorsDisclosed),
    publisherConsents: ids(m.publisherConsents),
    publisherLegitimateInterests: ids(m.publisherLegitimateInterests),
    extra: {
      vendorsAllowed: ids(m.vendorsAllowed),
      numCustomPurposes: m.numCustomPurposes,
      publisherCustomConsents: ids(m.publisherCustomConsents),
      publisherCustomLegitimateInterests: ids(m.publisherCustomLegitimateInterests),
    },
  };
}

const INCLUDED_FLAGS = ['GpcSegmentIncluded', 'SensitiveDataConsentSegmentIncluded'];

// the "sub-segment included" flags are fields of a section but not listed by toObj()
function hasFlag(model, name, flag) {
  try {
    model.getFieldValue(name, flag);
    return true;
  } catch (e) {
    return false;
  }
}

function gppFields(encoded) {
  const parts = encoded.split('~');
  const sectionIds = new HeaderV1(parts[0]).getFieldValue('SectionIds');
  const model = new GppModel(encoded);
  const obj = model.toObject();
  const sections = {};
  for (const [name, fields] of Object.entries(obj)) {
    if (name === 'tcfeuv2') {
      const index = sectionIds.indexOf(2);
      const tc = tcFields(parts[index + 1]);
      delete tc.extra;
      sections[name] = tc;
      continue;
    }
    const out = { ...fields };
    for (const flag of INCLUDED_FLAGS) {
      if (hasFlag(model, name, flag)) out[flag] = model.getFieldValue(name, flag);
    }
    sections[name] = out;
  }
  return { kind: 'gpp', version: 1, sectionIds, sections };
}

function decodeOne(s) {
  try {
    if (s.startsWith('DB')) return { ok: true, ...gppFields(s) };
    return { ok: true, kind: 'tcf', ...tcFields(s) };
  } catch (e) {
    return { ok: false, error: String(e && e.message ? e.message : e) };
  }
}

// --- seeded generation -------------------------------------------------------------------------

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  const subset = (xs, p) => xs.filter(() => next() < p);
  return { next, int, pick, subset };
}

const range = (lo, hi) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

function randomGvl(r) {
  const maxVendor = r.pick([10, 50, 120, 400, 1500, 4000]);
  const density = r.pick([0.05, 0.3, 0.9]);
  let vendorIds = r.subset(range(1, maxVendor), density);
  if (vendorIds.length === 0) vendorIds = [r.int(1, maxVendor)];
  const named = (n) => Object.fromEntries(range(1, n).map((id) => [id, { id, name: `x${id}`, description: '' }]));
  const vendors = {};
  for (const id of vendorIds) {
    const purposes = r.subset(range(1, 11), 0.4);
    const legIntPurposes = r.subset(range(2, 11).filter((p) => !purposes.includes(p)), 0.3);
    const flexiblePurposes = r.subset([...purposes, ...legIntPurposes], 0.3);
    vendors[id] = {
      id, name: `v${id}`, purposes, legIntPurposes, flexiblePurposes,
      specialPurposes: r.subset([1, 2, 3], 0.3), features: [], specialFeatures: [],
      policyUrl: '', cookieMaxAgeSeconds: null, usesCookies: false, deviceStorageDisclosureUrl: null,
    };
  }
  // the library re-fetches translations for a non-default language; make the pick the default
  GVL.DEFAULT_LANGUAGE = r.pick(['EN', 'FR', 'DE', 'PT', 'ZH', 'SR']);
  const gvl = new GVL({
    gvlSpecificationVersion: 3,
    vendorListVersion: r.int(1, 4095),
    tcfPolicyVersion: r.pick([2, 4, 5]),
    lastUpdated: '2024-01-01T00:00:00Z',
    purposes: named(11), specialPurposes: named(3), features: named(3), specialFeatures: named(2),
    stacks: {}, dataCategories: {}, vendors,
  });
  return { gvl, vendorIds, maxVendor };
}

function randomTc(r) {
  const { gvl, vendorIds, maxVendor } = randomGvl(r);
  const m = new TCModel(gvl);
  m.cmpId = r.int(2, 4095);
  m.cmpVersion = r.int(0, 4095);
  m.consentScreen = r.int(0, 63);
  m.publisherCountryCode = r.pick(['AA', 'DE', 'FR', 'GB', 'ZZ', 'IT']);
  m.isServiceSpecific = r.next() < 0.6;
  m.useNonStandardStacks = r.next() < 0.3;
  m.purposeOneTreatment = r.next() < 0.3;
  const t0 = Date.UTC(2018, 0, 1) + Math.floor(r.next() * 2e11);
  m.created = new Date(t0 - (t0 % 100) + r.int(0, 99));
  m.lastUpdated = new Date(t0 + r.int(0, 1e9));
  m.specialFeatureOptins.set(r.subset(range(1, 12), 0.4));
  m.purposeConsents.set(r.subset(range(1, 24), 0.5));
  m.purposeLegitimateInterests.set(r.subset(range(1, 24), 0.4));
  const p = r.pick([0.05, 0.5, 0.95]);
  m.vendorConsents.set(r.subset(range(1, maxVendor + 20), p));
  m.vendorLegitimateInterests.set(r.subset(range(1, maxVendor + 20), p / 2));
  m.publisherConsents.set(r.subset(range(1, 24), 0.4));
  m.publisherLegitimateInterests.set(r.subset(range(1, 24), 0.3));
  const custom = r.int(0, 12);
  if (custom > 0) {
    m.numCustomPurposes = custom;
    m.publisherCustomConsents.set(r.subset(range(1, custom), 0.5));
    m.publisherCustomLegitimateInterests.set(r.subset(range(1, custom), 0.5));
  }
  const nRestrictions = r.pick([0, 0, 1, 3, 8]);
  for (let i = 0; i < nRestrictions; i++) {
    const pr = new PurposeRestriction(r.int(1, 11), r.int(0, 2));
    for (const v of r.subset(vendorIds, r.pick([0.05, 0.5, 1]))) m.publisherRestrictions.add(v, pr);
  }
  m.vendorsAllowed.set(r.subset(vendorIds, 0.5));
  const segments = r.pick([
    undefined,
    ['core'],
    ['core', 'vendorsDisclosed'],
    ['core', 'publisherTC'],
    ['core', 'vendorsDisclosed', 'publisherTC'],
    ['core', 'vendorsDisclosed', 'vendorsAllowed', 'publisherTC'],
  ]);
  return TCString.encode(m, segments ? { segments } : undefined);
}

const US_SECTIONS = ['usnat', 'usca', 'usva', 'usco', 'usut', 'usct', 'usfl', 'usmt', 'usor', 'ustx',
  'usde', 'usia', 'usne', 'usnh', 'usnj', 'ustn', 'usmn', 'usmd', 'usin', 'usky', 'usri'];

function randomGpp(r) {
  const model = new GppModel();
  const chosen = r.subset(US_SECTIONS, 0.25);
  if (chosen.length === 0) chosen.push(r.pick(['usnat', 'usca', 'usva', 'usco', 'usut', 'usct']));
  for (const name of chosen) {
    // create the section with its defaults, then overwrite every field with a random valid value
    model.setFieldValue(name, 'MspaCoveredTransaction', r.int(1, 2));
    const fields = model.getSection(name);
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'Version' || field === 'MspaVersion' || field === 'GpcSegmentType') continue;
      if (field === 'MspaCoveredTransaction') continue;
      let v;
      if (Array.isArray(value)) v = value.map(() => r.int(0, 2));
      else if (typeof value === 'boolean') v = r.next() < 0.5;
      else v = r.int(0, 2);
      model.setFieldValue(name, field, v);
    }
    for (const flag of INCLUDED_FLAGS) {
      if (hasFlag(model, name, flag)) model.setFieldValue(name, flag, r.next() < 0.6);
    }
  }
  if (r.next() < 0.3) {
    for (const [f, v] of [['Notice', r.pick(['Y', 'N', '-'])], ['OptOutSale', r.pick(['Y', 'N', '-'])],
      ['LspaCovered', r.pick(['Y', 'N', '-'])]]) model.setFieldValue('uspv1', f, v);
  }
  let out = model.encode();
  if (r.next() < 0.3) {
    // splice in an EU TCF section made by the TCF reference encoder
    const tc = randomTc(r);
    const parts = out.split('~');
    const ids = new HeaderV1(parts[0]).getFieldValue('SectionIds');
    const header = new HeaderV1();
    header.setFieldValue('SectionIds', [2, ...ids]);
    out = [header.encode(), tc, ...parts.slice(1)].join('~');
  }
  return out;
}

const [mode, nArg, seedArg] = process.argv.slice(2);
if (mode === 'decode') {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    process.stdout.write(JSON.stringify(decodeOne(JSON.parse(line))) + '\n');
  }
} else if (mode === 'generate-tc' || mode === 'generate-gpp') {
  const r = rng(Number(seedArg ?? 1));
  const make = mode === 'generate-tc' ? randomTc : randomGpp;
  for (let i = 0; i < Number(nArg ?? 100); i++) process.stdout.write(JSON.stringify(make(r)) + '\n');
} else {
  process.stderr.write('usage: node oracle.mjs decode | generate-tc N SEED | generate-gpp N SEED\n');
  process.exit(2);
}
