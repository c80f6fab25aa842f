import { Fen } from '../../common/fen';
import { deserialize, serialize } from './idempotency.store';

describe('stored outcomes', () => {
  const message = {
    Transaction: { TranSeq: 'REV1', PayAmount: Fen.of(-15_000n), BillNos: ['B1', 'B2'], RespMessage: '成功' },
    Items: [{ Amount: Fen.of(1n) }, { Amount: Fen.of(123_456_789_012_345n) }],
    Total: Fen.ZERO,
    Missing: undefined,
  };

  it('writes amounts as fen in the stored format, everything else as JSON', () => {
    expect(serialize(message)).toBe(
      '{"Transaction":{"TranSeq":"REV1","PayAmount":{"$fen":"-15000"},"BillNos":["B1","B2"],"RespMessage":"成功"},' +
        '"Items":[{"Amount":{"$fen":"1"}},{"Amount":{"$fen":"123456789012345"}}],"Total":{"$fen":"0"}}',
    );
  });

  it('reads back the same message, amounts as Fen', () => {
    const back = deserialize(serialize(message)) as typeof message;
    expect(back.Transaction.PayAmount).toBeInstanceOf(Fen);
    expect(back.Transaction.PayAmount.equals(Fen.of(-15_000n))).toBe(true);
    expect(back.Items.map((i) => i.Amount.toString())).toEqual(['1', '123456789012345']);
    expect(back.Total.equals(Fen.ZERO)).toBe(true);
    expect(back.Transaction.BillNos).toEqual(['B1', 'B2']);
    expect('Missing' in back).toBe(false);
  });
});
