import { IsInt, IsString, Length, Max, validateSync } from 'class-validator';
import { rememberValidationMetadata } from './validation-metadata-memo';

class Base {
  @IsString()
  @Length(1, 5)
  code!: string;
}

class Derived extends Base {
  @IsInt()
  @Max(9)
  count!: number;
}

const violations = (value: object) => validateSync(value).map((e) => e.property);

describe('remembered validation metadata', () => {
  beforeAll(() => rememberValidationMetadata());

  it('still applies a class’s own and inherited rules, on every call', () => {
    for (let round = 0; round < 3; round++) {
      expect(violations(Object.assign(new Derived(), { code: 'abc', count: 3 }))).toEqual([]);
      expect(violations(Object.assign(new Derived(), { code: 'toolong', count: 3 }))).toEqual(['code']);
      expect(violations(Object.assign(new Derived(), { code: 'abc', count: 10 }))).toEqual(['count']);
      expect(violations(Object.assign(new Base(), { code: '' }))).toEqual(['code']);
    }
  });

  it('picks up rules registered after a class was first validated', () => {
    class Growing {
      @IsInt()
      first!: number;
    }
    expect(violations(Object.assign(new Growing(), { first: 1, second: 2 }))).toEqual([]);
    // A rule added to the same class afterwards (as a decorator does) must apply from the next call.
    IsString()(Growing.prototype, 'second');
    expect(violations(Object.assign(new Growing(), { first: 1, second: 2 }))).toEqual(['second']);
  });

  it('installs once', () => {
    rememberValidationMetadata();
    rememberValidationMetadata();
    expect(violations(Object.assign(new Derived(), { code: 'abc', count: 10 }))).toEqual(['count']);
  });
});
