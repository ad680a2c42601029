import { ESLint } from 'eslint';

/**
 * The layer order of DESIGN.md is enforced by `npm run lint` (eslint.config.js, LAYERS). These
 * cases lint a probe file placed in a folder, as `npx eslint` would lint it there.
 */
describe('the layer order in eslint.config.js', () => {
  const eslint = new ESLint({ cwd: process.cwd() });

  const layerErrors = async (filePath: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it('should fail an upward import: config importing the fault lab', async () => {
    const errors = await layerErrors(
      'src/config/probe.ts',
      "import { FAULT_CATALOG } from '../faults/fault-catalog.js';\nexport const n = FAULT_CATALOG.length;\n",
    );
    expect(errors).toEqual([expect.stringContaining('config/ sits below these folders')]);
  });

  it('should fail an app module importing the fault lab, and a type-only import too', async () => {
    const errors = await layerErrors(
      'src/modules/todo/probe.ts',
      "import type { FaultsService } from '../../faults/faults.service.js';\nexport type F = FaultsService;\n",
    );
    expect(errors).toEqual([expect.stringContaining('modules/ sits below these folders')]);
  });

  it('should fail a layer importing the composition root (src/app.module)', async () => {
    const errors = await layerErrors(
      'src/personas/targets/probe.ts',
      "import { AppModule } from '../../app.module.js';\nexport const m = AppModule;\n",
    );
    expect(errors).toEqual([expect.stringContaining('compose the app')]);
  });

  it('should let a downward import and a same-folder import pass', async () => {
    expect(
      await layerErrors(
        'src/runner/brains/probe.ts',
        "import { isUuid } from '../../common/uuid.js';\nimport { PersonasModule } from '../../personas/personas.module.js';\nimport { x } from './x.js';\nexport const v = [isUuid, PersonasModule, x];\n",
      ),
    ).toEqual([]);
  });

  it('should not mistake a nested folder for a layer of the same name (modules/spaces is not spaces/)', async () => {
    expect(
      await layerErrors('src/auth/probe.ts', "import { x } from './spaces/x.js';\nexport const v = x;\n"),
    ).toEqual([]);
    expect(
      await layerErrors('src/auth/probe.ts', "import { x } from '../spaces/x.js';\nexport const v = x;\n"),
    ).toEqual([expect.stringContaining('auth/ sits below these folders')]);
  });
});
