// aws:single-use-uuid: a token carrying one opens one multivariant playlist. Used uuids are kept (per channel)
// until the token's exp, after which the token is refused as expired anyway.

const PRUNE_EVERY = 1_000;

export class SingleUseRegistry {
  private readonly used = new Map<string, number>();
  private inserts = 0;

  /** True the first time `uuid` is seen on the channel; false on a replay. */
  consume(channelArn: string, uuid: string, expS: number, nowS: number): boolean {
    const id = `${channelArn}\n${uuid}`;
    const until = this.used.get(id);
    if (until !== undefined && until > nowS) return false;
    if (++this.inserts % PRUNE_EVERY === 0) this.prune(nowS);
    this.used.set(id, expS);
    return true;
  }

  private prune(nowS: number): void {
    for (const [id, until] of this.used) if (until <= nowS) this.used.delete(id);
  }
}
