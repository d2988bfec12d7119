// The STANDARD ladder rules (no upscaling, 60 fps only for 720p, portrait, decimated rates) and the ffmpeg
// command line built from a ladder: one aligned-keyframe libx264 output per pipe, audio copied above 360p.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ffmpegArgs, rate, selectFilter } from '../../src/media/transcode/ffmpeg-args.js';
import { decimated, ladderFor, type Rendition } from '../../src/media/transcode/ladder.js';

const shape = (l: Rendition[]): string[] => l.map((r) => `${r.name} ${r.width}x${r.height}@${+r.frameRate.toFixed(3)}`);

describe('ladderFor', () => {
  it('1080p60 → 720p60 + 480p30 + 360p30 + 160p30 at the IVS sizes', () => {
    assert.deepEqual(shape(ladderFor({ width: 1920, height: 1080, frameRate: 60 })), [
      '720p60 1280x720@60',
      '480p30 852x480@30',
      '360p30 640x360@30',
      '160p30 284x160@30',
    ]);
  });

  it('1080p30 → 720p30 …; unknown frame rate counts as 30', () => {
    const expected = ['720p30 1280x720@30', '480p30 852x480@30', '360p30 640x360@30', '160p30 284x160@30'];
    assert.deepEqual(shape(ladderFor({ width: 1920, height: 1080, frameRate: 30 })), expected);
    assert.deepEqual(shape(ladderFor({ width: 1920, height: 1080 })), expected);
  });

  it('never upscales and skips the rung equal to the source', () => {
    assert.deepEqual(shape(ladderFor({ width: 1280, height: 720, frameRate: 30 })), [
      '480p30 852x480@30',
      '360p30 640x360@30',
      '160p30 284x160@30',
    ]);
    assert.deepEqual(shape(ladderFor({ width: 640, height: 360, frameRate: 30 })), ['160p30 284x160@30']);
    assert.deepEqual(ladderFor({ width: 284, height: 160, frameRate: 30 }), []);
    assert.deepEqual(ladderFor({ width: 0, height: 0 }), []);
  });

  it('720p60 only when the source runs above 30 fps; 59.94/50 fps sources are decimated by 2', () => {
    assert.equal(ladderFor({ width: 1920, height: 1080, frameRate: 30.2 })[0]!.name, '720p30');
    const ntsc = ladderFor({ width: 1920, height: 1080, frameRate: 60000 / 1001 });
    assert.deepEqual(shape(ntsc).slice(0, 2), ['720p60 1280x720@59.94', '480p30 852x480@29.97']);
    assert.equal(ladderFor({ width: 1920, height: 1080, frameRate: 50 })[1]!.frameRate, 25);
    assert.deepEqual([decimated(120, 60), decimated(120, 30), decimated(24, 30), decimated(144, 30)], [60, 30, 24, 28.8]);
  });

  it('portrait input: the short side is the rung, the long side keeps the aspect', () => {
    assert.deepEqual(shape(ladderFor({ width: 1080, height: 1920, frameRate: 30 })), [
      '720p30 720x1280@30',
      '480p30 480x852@30',
      '360p30 360x640@30',
      '160p30 160x284@30',
    ]);
  });

  it('non-16:9 input keeps its aspect with even dimensions', () => {
    assert.deepEqual(shape(ladderFor({ width: 1440, height: 1080, frameRate: 30 })).slice(0, 2), [
      '720p30 960x720@30',
      '480p30 640x480@30',
    ]);
  });

  it('bitrates, profile/level and audio mode per rung', () => {
    const l = ladderFor({ width: 1920, height: 1080, frameRate: 60 });
    assert.deepEqual(
      l.map((r) => [r.videoBitrate, r.audioBitrate, r.audioCopy, r.profile, r.level]),
      [
        [3_500_000, 128_000, true, 'main', 32],
        [1_200_000, 128_000, true, 'main', 31],
        [630_000, 96_000, false, 'main', 30],
        [230_000, 64_000, false, 'main', 20],
      ],
    );
    assert.equal(ladderFor({ width: 1920, height: 1080, frameRate: 30 })[0]!.videoBitrate, 2_500_000);
  });

  it('exclude leaves rungs out', () => {
    assert.deepEqual(
      ladderFor({ width: 1920, height: 1080, frameRate: 60 }, { exclude: ['720p60'] }).map((r) => r.name),
      ['480p30', '360p30', '160p30'],
    );
  });
});

/** Splits the argument list into the input part and one part per `-f flv pipe:N` output. */
function outputs(args: string[]): { input: string[]; outs: string[][] } {
  const firstMap = args.indexOf('-map');
  const outs: string[][] = [];
  let cur: string[] = [];
  for (const a of args.slice(firstMap)) {
    cur.push(a);
    if (a.startsWith('pipe:') && cur.length > 2) {
      outs.push(cur);
      cur = [];
    }
  }
  assert.deepEqual(cur, [], 'nothing after the last output');
  return { input: args.slice(0, firstMap), outs };
}

const opt = (out: string[], name: string): string | undefined => {
  const i = out.indexOf(name);
  return i < 0 ? undefined : out[i + 1];
};

describe('ffmpegArgs', () => {
  const ladder = ladderFor({ width: 1920, height: 1080, frameRate: 60 });

  it('reads FLV from stdin with copied timestamps and no packet-dropping input flags', () => {
    const { input } = outputs(ffmpegArgs(ladder, { x264Preset: 'veryfast', sourceFrameRate: 60 }));
    assert.deepEqual(input.slice(input.indexOf('-f')), ['-f', 'flv', '-i', 'pipe:0', '-copyts']);
    assert.ok(input.includes('-nostdin'));
    assert.equal(opt(input, '-analyzeduration'), '1000000');
    assert.ok(!input.includes('nobuffer') && !input.includes('low_delay'));
  });

  it('the audio-only rendition: the source audio alone, AAC at its rate, no video options', () => {
    const withAudio = ladderFor({ width: 1280, height: 720, frameRate: 30, hasAudio: true }, { channelType: 'ADVANCED_SD' });
    const { outs } = outputs(ffmpegArgs(withAudio, { x264Preset: 'veryfast', sourceFrameRate: 30 }));
    const audio = outs.at(-1)!;
    assert.deepEqual(audio.slice(0, 3), ['-map', '0:a:0', '-vn']);
    assert.equal(opt(audio, '-c:a'), 'aac');
    assert.equal(opt(audio, '-b:a'), '64k');
    assert.ok(!audio.includes('-c:v') && !audio.includes('-vf'), audio.join(' '));
    assert.equal(audio.at(-1), `pipe:${3 + withAudio.length - 1}`);
  });

  it('one libx264 output per rendition on pipe:3, pipe:4, …', () => {
    const { outs } = outputs(ffmpegArgs(ladder, { x264Preset: 'superfast', sourceFrameRate: 60, threads: 2 }));
    assert.equal(outs.length, 4);
    outs.forEach((o, i) => {
      const r = ladder[i]!;
      assert.equal(o.at(-1), `pipe:${3 + i}`);
      assert.deepEqual(o.slice(0, 4), ['-map', '0:v:0', '-map', '0:a:0?']);
      assert.equal(opt(o, '-c:v'), 'libx264');
      assert.equal(opt(o, '-preset'), 'superfast');
      assert.equal(opt(o, '-tune'), 'zerolatency');
      assert.equal(opt(o, '-profile:v'), 'main');
      assert.equal(opt(o, '-level:v'), (r.level / 10).toFixed(1));
      assert.equal(opt(o, '-force_key_frames'), 'source');
      assert.equal(opt(o, '-sc_threshold'), '0');
      assert.equal(opt(o, '-enc_time_base:v'), '-1');
      assert.equal(opt(o, '-b:v'), `${r.videoBitrate / 1000}k`);
      assert.equal(opt(o, '-maxrate'), `${r.videoBitrate / 1000}k`);
      assert.equal(opt(o, '-bufsize'), `${(2 * r.videoBitrate) / 1000}k`);
      assert.equal(opt(o, '-threads'), '2');
      assert.equal(opt(o, '-f'), 'flv');
      assert.match(opt(o, '-vf')!, new RegExp(`scale=${r.width}:${r.height}$`));
    });
  });

  it('decimates with a keyframe-keeping select only where the rung is slower than the source', () => {
    const { outs } = outputs(ffmpegArgs(ladder, { x264Preset: 'veryfast', sourceFrameRate: 60 }));
    assert.equal(opt(outs[0]!, '-vf'), 'scale=1280:720');
    assert.equal(opt(outs[0]!, '-r'), '60');
    assert.equal(opt(outs[1]!, '-vf'), `${selectFilter(30)},scale=852:480`);
    assert.equal(opt(outs[1]!, '-r'), '30');
    assert.match(selectFilter(30), /key\+gte\(t-prev_selected_t\\,0\.0300\)/);
    const same = outputs(
      ffmpegArgs(ladderFor({ width: 1280, height: 720, frameRate: 30 }), { x264Preset: 'veryfast', sourceFrameRate: 30 }),
    );
    for (const o of same.outs) assert.doesNotMatch(opt(o, '-vf')!, /select/);
  });

  it('copies audio for 720p/480p, re-encodes AAC for 360p/160p', () => {
    const { outs } = outputs(ffmpegArgs(ladder, { x264Preset: 'veryfast' }));
    assert.deepEqual(
      outs.map((o) => [opt(o, '-c:a'), opt(o, '-b:a')]),
      [
        ['copy', undefined],
        ['copy', undefined],
        ['aac', '96k'],
        ['aac', '64k'],
      ],
    );
  });

  it('formats NTSC rates exactly', () => {
    assert.deepEqual(
      [rate(30), rate(30000 / 1001), rate(60000 / 1001), rate(28.8)],
      ['30', '30000/1001', '60000/1001', '28.800'],
    );
  });
});

describe('ladderFor on ADVANCED channels (IVS "Channel Types")', () => {
  const kbps = (l: Rendition[]) =>
    l.map(
      (r) => `${r.name} ${r.width}x${r.height} ${r.videoBitrate / 1000}k a${r.audioBitrate / 1000}k${r.audioCopy ? ' copy' : ''}`,
    );
  const hd = (preset: string, frameRate = 30, width = 1920, height = 1080) =>
    kbps(ladderFor({ width, height, frameRate }, { channelType: 'ADVANCED_HD', preset }));

  it('ADVANCED_HD, 1080p60: 720p60 at 3 Mbps (constrained 2.2) and the 30 fps rungs below; all audio transcoded', () => {
    assert.deepEqual(hd('HIGHER_BANDWIDTH_DELIVERY', 60), [
      '720p60 1280x720 3000k a128k',
      '480p30 852x480 1300k a128k',
      '360p30 640x360 700k a64k',
      '160p30 284x160 270k a48k',
    ]);
    assert.deepEqual(hd('CONSTRAINED_BANDWIDTH_DELIVERY', 60), [
      '720p60 1280x720 2200k a128k',
      '480p30 852x480 800k a128k',
      '360p30 640x360 400k a64k',
      '160p30 284x160 220k a48k',
    ]);
  });

  it('ADVANCED_HD, 30 fps: 720p30 at 2.3 Mbps (1.9); the preset defaults to higher bandwidth delivery', () => {
    assert.equal(hd('HIGHER_BANDWIDTH_DELIVERY')[0], '720p30 1280x720 2300k a128k');
    assert.equal(hd('CONSTRAINED_BANDWIDTH_DELIVERY')[0], '720p30 1280x720 1900k a128k');
    assert.deepEqual(
      kbps(ladderFor({ width: 1920, height: 1080 }, { channelType: 'ADVANCED_HD' })),
      hd('HIGHER_BANDWIDTH_DELIVERY'),
    );
  });

  it('ADVANCED_HD between 480p and 720p: the source size transcoded at the 720p30 rate; 720p input keeps a 720p rung', () => {
    assert.deepEqual(hd('HIGHER_BANDWIDTH_DELIVERY', 30, 960, 540).slice(0, 2), [
      '540p30 960x540 2300k a128k',
      '480p30 852x480 1300k a128k',
    ]);
    assert.equal(hd('HIGHER_BANDWIDTH_DELIVERY', 30, 1280, 720).length, 4);
    assert.deepEqual(
      hd('HIGHER_BANDWIDTH_DELIVERY', 30, 854, 480).map((r) => r.split(' ')[0]),
      ['480p30', '360p30', '160p30'],
    );
  });

  it('the audio-only rendition (64 kbps AAC) comes last on both ADVANCED types when the source has audio, never on STANDARD', () => {
    for (const channelType of ['ADVANCED_SD', 'ADVANCED_HD']) {
      const ladder = ladderFor({ width: 1280, height: 720, frameRate: 30, hasAudio: true }, { channelType });
      const last = ladder.at(-1)!;
      assert.equal(last.name, 'audio_only', channelType);
      assert.equal(last.audioOnly, true);
      assert.equal(last.audioBitrate, 64_000);
      assert.equal(ladder.filter((r) => r.audioOnly).length, 1);
      assert.ok(!ladderFor({ width: 1280, height: 720, frameRate: 30 }, { channelType }).some((r) => r.audioOnly), 'no audio');
    }
    assert.ok(!ladderFor({ width: 1280, height: 720, frameRate: 30, hasAudio: true }).some((r) => r.audioOnly), 'STANDARD');
  });

  it('ADVANCED_SD: capped at 480p30 whatever the input, never upscaled, no duplicate rung', () => {
    const sd = (preset: string, width: number, height: number, frameRate = 60) =>
      kbps(ladderFor({ width, height, frameRate }, { channelType: 'ADVANCED_SD', preset }));
    assert.deepEqual(sd('HIGHER_BANDWIDTH_DELIVERY', 1920, 1080), [
      '480p30 852x480 1300k a128k',
      '360p30 640x360 700k a64k',
      '160p30 284x160 270k a48k',
    ]);
    assert.deepEqual(sd('CONSTRAINED_BANDWIDTH_DELIVERY', 1280, 720), [
      '480p30 852x480 800k a128k',
      '360p30 640x360 400k a64k',
      '160p30 284x160 220k a48k',
    ]);
    assert.deepEqual(
      sd('HIGHER_BANDWIDTH_DELIVERY', 640, 360).map((r) => r.split(' ')[0]),
      ['360p30', '160p30'],
    );
    assert.deepEqual(sd('HIGHER_BANDWIDTH_DELIVERY', 1080, 1920)[0], '480p30 480x852 1300k a128k');
  });
});
