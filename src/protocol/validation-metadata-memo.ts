import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];

const INSTALLED = Symbol('validationMetadataMemo');

/**
 * class-validator looks up a class's rules on every validation by walking the rules of every decorated class in
 * the process (to find inherited ones) and filtering them: per partner request that cost more than the checks
 * themselves. The rules are fixed once the classes are defined, so the answer is remembered per class (and
 * `always`/`strictGroups` option); registering any further rule forgets everything. Lookups with groups or a
 * schema go to class-validator as before. Installed once per process, for every validation in it.
 */
export function rememberValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const marked = storage as Storage & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const memo = new Map<unknown, Map<string, ReturnType<Lookup>>>();
  storage.addValidationMetadata = (metadata) => {
    memo.clear();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (schema || (groups && groups.length > 0)) return lookup(target, schema, always, strictGroups, groups);
    let byOptions = memo.get(target);
    if (!byOptions) memo.set(target, (byOptions = new Map<string, ReturnType<Lookup>>()));
    const key = `${always}|${strictGroups}`;
    let rules = byOptions.get(key);
    if (!rules) byOptions.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
}
