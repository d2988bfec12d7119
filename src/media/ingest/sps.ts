// H.264 sequence parameter set parsing (ITU-T H.264 §7.3.2.1.1) for what the packager and the HLS
// playlist need: coded size after cropping, profile, level and the RFC 6381 codec string. Everything up to
// frame_cropping is parsed, including the high-profile chroma/bit-depth/scaling-list fields, because
// skipping them wrongly would silently shift every later field.

import { BitReader, nalToRbsp } from './bit-reader.js';
import { BitstreamError } from './errors.js';

export interface SpsInfo {
  profile: number;
  constraintFlags: number;
  level: number;
  width: number;
  height: number;
  chromaFormat: number;
  /** `avc1.PPCCLL`, lowercase hex of profile_idc, the constraint byte and level_idc. */
  codecString: string;
}

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses an SPS NAL unit (starting with its NAL header byte, no start code). */
export function parseSps(nal: Buffer): SpsInfo {
  if (nal.length < 4 || (nal[0]! & 0x1f) !== 7) throw new BitstreamError('not an SPS NAL unit');
  const r = new BitReader(nalToRbsp(nal), 1);
  const profile = r.u(8);
  const constraintFlags = r.u(8);
  const level = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlane = false;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat > 3) throw new BitstreamError(`invalid chroma_format_idc ${chromaFormat}`);
    if (chromaFormat === 3) separateColourPlane = r.flag();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) skipScalingMatrices(r, chromaFormat === 3 ? 12 : 8);
  }
  r.ue(); // log2_max_frame_num_minus4
  skipPicOrderCnt(r);
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag() ? 1 : 0;
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  const crop = r.flag() ? [r.ue(), r.ue(), r.ue(), r.ue()] : [0, 0, 0, 0];
  const [cropUnitX, cropUnitY] = cropUnits(separateColourPlane ? 0 : chromaFormat, frameMbsOnly);
  const width = widthMbs * 16 - cropUnitX * (crop[0]! + crop[1]!);
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropUnitY * (crop[2]! + crop[3]!);
  if (width <= 0 || height <= 0) throw new BitstreamError('SPS cropping leaves no picture');
  return { profile, constraintFlags, level, width, height, chromaFormat, codecString: avcCodecString(nal) };
}

/** `avc1.PPCCLL` from the three bytes after the NAL header (same bytes as avcC's profile/compat/level). */
export function avcCodecString(sps: Buffer): string {
  return `avc1.${sps.subarray(1, 4).toString('hex')}`;
}

function skipScalingMatrices(r: BitReader, count: number): void {
  for (let i = 0; i < count; i++) {
    if (!r.flag()) continue; // seq_scaling_list_present_flag[i]
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size && next !== 0; j++) {
      next = (last + r.se() + 256) % 256;
      if (next !== 0) last = next;
    }
  }
}

function skipPicOrderCnt(r: BitReader): void {
  const type = r.ue();
  if (type === 0) {
    r.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (type === 1) {
    r.skip(1); // delta_pic_order_always_zero_flag
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) throw new BitstreamError('num_ref_frames_in_pic_order_cnt_cycle out of range');
    for (let i = 0; i < cycle; i++) r.se();
  } else if (type !== 2) {
    throw new BitstreamError(`invalid pic_order_cnt_type ${type}`);
  }
}

/** CropUnitX/CropUnitY (H.264 equations 7-19 … 7-22). */
function cropUnits(chromaArrayType: number, frameMbsOnly: number): [number, number] {
  if (chromaArrayType === 0) return [1, 2 - frameMbsOnly];
  const subWidthC = chromaArrayType === 3 ? 1 : 2;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  return [subWidthC, subHeightC * (2 - frameMbsOnly)];
}
