import { describe, expect, it } from 'vitest';
import { SDK_WARNING_SWITCH, nodeSupport } from '../../src/node-support.js';

describe('nodeSupport', () => {
  it("on Node 20 silences the SDK's warning and says so in one line", () => {
    const support = nodeSupport('v20.20.2', {});
    expect(support.silenceSdkWarning).toBe(true);
    expect(support.notice).toMatch(/^Node v20\.20\.2: supported.*Node 22/);
  });

  it("keeps an operator's own choice of the SDK switch", () => {
    expect(nodeSupport('v20.20.2', { [SDK_WARNING_SWITCH]: 'false' }).silenceSdkWarning).toBe(
      false,
    );
    expect(nodeSupport('v20.20.2', { [SDK_WARNING_SWITCH]: 'true' }).silenceSdkWarning).toBe(false);
  });

  it.each(['v22.0.0', 'v24.1.0'])('on %s changes nothing and says nothing', (version) => {
    expect(nodeSupport(version, {})).toEqual({ silenceSdkWarning: false, notice: undefined });
  });

  it('changes nothing for a version it cannot read', () => {
    expect(nodeSupport('garbage', {})).toEqual({ silenceSdkWarning: false, notice: undefined });
  });
});
