import { randomUUID } from 'node:crypto';
import { SpacesController } from '../../src/spaces/spaces.controller.js';
import { SpacesService } from '../../src/spaces/spaces.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { registerUser, uniqueEmail } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';

const SPACES = '/api/v1/spaces';

describe(SpacesController.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  const createSpace = async (owner: TestUser, name = 'The Lindqvists', type = 'family') => {
    const res = await http(t.url, 'POST', SPACES, { token: owner.accessToken, body: { name, type } });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string; type: string; role: string };
  };
  const addMember = (caller: TestUser, spaceId: string, email: string) =>
    http(t.url, 'POST', `${SPACES}/${spaceId}/members`, { token: caller.accessToken, body: { email } });
  const removeMember = (caller: TestUser, spaceId: string, userId: string) =>
    http(t.url, 'DELETE', `${SPACES}/${spaceId}/members/${userId}`, { token: caller.accessToken });
  const members = (caller: TestUser, spaceId: string) =>
    http(t.url, 'GET', `${SPACES}/${spaceId}/members`, { token: caller.accessToken });

  it('should give every new user exactly one personal space, owned, right after sign-up', async () => {
    const user = await registerUser(t);
    const res = await http(t.url, 'GET', SPACES, { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        id: expect.any(String),
        name: 'Personal',
        type: 'personal',
        role: 'owner',
        createdAt: expect.any(String),
      },
    ]);
    expect(await t.app.get(SpacesService).personalSpaceId(user.id)).toBe(res.body.items[0].id);
  });

  it('should name the personal space after the user when a name is given at sign-up', async () => {
    const email = uniqueEmail('named');
    const reg = await http(t.url, 'POST', '/api/v1/auth/register', {
      body: { email, password: 'Tr0ub4dor&3-horse', name: 'Ines' },
    });
    expect(reg.status).toBe(201);
    const res = await http(t.url, 'GET', SPACES, { token: reg.body.accessToken });
    expect(res.body.items.map((s: { name: string }) => s.name)).toEqual(["Ines's space"]);
  });

  it('should create a shared space with the caller as owner and list it after the personal one', async () => {
    const owner = await registerUser(t);
    const space = await createSpace(owner, '  Team Rocket  ', 'team');
    expect(space).toMatchObject({ name: 'Team Rocket', type: 'team', role: 'owner' });
    const list = await http(t.url, 'GET', SPACES, { token: owner.accessToken });
    expect(list.body.items.map((s: { type: string }) => s.type)).toEqual(['personal', 'team']);
  });

  it.each(['personal', 'galaxy', ''])(
    'should refuse to create a space of type "%s" with 400',
    async (type) => {
      const owner = await registerUser(t);
      const res = await http(t.url, 'POST', SPACES, { token: owner.accessToken, body: { name: 'X', type } });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('type must be one of family, team, practice, brand, club');
    },
  );

  it('should let the owner add a member by email (any case) who then sees the space as member', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const space = await createSpace(owner);

    const added = await addMember(owner, space.id, member.email.toUpperCase());
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ userId: member.id, email: member.email, role: 'member' });

    const mine = await http(t.url, 'GET', SPACES, { token: member.accessToken });
    expect(mine.body.items).toEqual([
      expect.objectContaining({ type: 'personal', role: 'owner' }),
      expect.objectContaining({ id: space.id, name: space.name, type: 'family', role: 'member' }),
    ]);

    const list = await members(member, space.id);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { userId: owner.id, email: owner.email, role: 'owner' },
      { userId: member.id, email: member.email, role: 'member' },
    ]);
    await expect(t.app.get(SpacesService).assertMember(member.id, space.id)).resolves.toMatchObject({
      role: 'member',
    });

    // adding the same person again is idempotent
    const again = await addMember(owner, space.id, member.email);
    expect(again.status).toBe(201);
    expect((await members(owner, space.id)).body.items).toHaveLength(2);
  });

  it('should answer 404 to a non-member for the member list and for member changes', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const outsider = await registerUser(t);
    const space = await createSpace(owner);
    expect((await addMember(owner, space.id, member.email)).status).toBe(201);

    for (const res of [
      await members(outsider, space.id),
      await addMember(outsider, space.id, outsider.email),
      await removeMember(outsider, space.id, member.id),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Space not found' });
    }
    // the outsider's 404 is indistinguishable from a space that does not exist
    const ghost = await members(outsider, randomUUID());
    expect(ghost.status).toBe(404);
    expect(ghost.body.message).toBe('Space not found');
    expect((await members(owner, 'not-a-uuid')).status).toBe(404);

    await expect(t.app.get(SpacesService).assertMember(outsider.id, space.id)).rejects.toMatchObject({
      status: 404,
    });
    // and nothing changed
    expect((await members(owner, space.id)).body.items).toHaveLength(2);
  });

  it('should answer 403 when a member who is not the owner adds or removes others', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const third = await registerUser(t);
    const space = await createSpace(owner);
    expect((await addMember(owner, space.id, member.email)).status).toBe(201);
    expect((await addMember(owner, space.id, third.email)).status).toBe(201);

    const add = await addMember(member, space.id, (await registerUser(t)).email);
    expect(add.status).toBe(403);
    expect(add.body.message).toBe('Only the space owner can add members');

    const remove = await removeMember(member, space.id, third.id);
    expect(remove.status).toBe(403);
    expect(remove.body.message).toBe('Only the space owner can remove other members');

    const removeOwner = await removeMember(member, space.id, owner.id);
    expect(removeOwner.status).toBe(403);
    expect((await members(owner, space.id)).body.items).toHaveLength(3);
  });

  it('should let the owner remove a member, who then loses access (404)', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const space = await createSpace(owner);
    expect((await addMember(owner, space.id, member.email)).status).toBe(201);

    expect((await removeMember(owner, space.id, member.id)).status).toBe(204);
    expect((await members(member, space.id)).status).toBe(404);
    const mine = await http(t.url, 'GET', SPACES, { token: member.accessToken });
    expect(mine.body.items.map((s: { id: string }) => s.id)).not.toContain(space.id);
    // removing someone who is not (or no longer) a member
    const gone = await removeMember(owner, space.id, member.id);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe('That user is not a member of this space');
  });

  it('should let a member leave on their own', async () => {
    const owner = await registerUser(t);
    const member = await registerUser(t);
    const space = await createSpace(owner);
    expect((await addMember(owner, space.id, member.email)).status).toBe(201);
    expect((await removeMember(member, space.id, member.id)).status).toBe(204);
    expect((await members(owner, space.id)).body.items).toEqual([
      { userId: owner.id, email: owner.email, role: 'owner' },
    ]);
  });

  it('should refuse to remove the owner (400)', async () => {
    const owner = await registerUser(t);
    const space = await createSpace(owner);
    const res = await removeMember(owner, space.id, owner.id);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('The owner cannot be removed from their space');
  });

  it('should refuse members for a personal space (400)', async () => {
    const owner = await registerUser(t);
    const other = await registerUser(t);
    const personal = await t.app.get(SpacesService).personalSpaceId(owner.id);
    const res = await addMember(owner, personal, other.email);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('A personal space cannot have other members');
    // and another user's personal space is simply not found
    expect((await members(other, personal)).status).toBe(404);
  });

  it('should answer 404 when adding an email that has no account', async () => {
    const owner = await registerUser(t);
    const space = await createSpace(owner);
    const email = uniqueEmail('nobody');
    const res = await addMember(owner, space.id, email);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`No account with email ${email}`);
  });

  it('should refuse an invalid member email with 400', async () => {
    const owner = await registerUser(t);
    const space = await createSpace(owner);
    const res = await addMember(owner, space.id, 'not-an-email');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('email must be an email address');
  });

  it('should require a token for every spaces route', async () => {
    const id = randomUUID();
    for (const [method, path] of [
      ['GET', SPACES],
      ['POST', SPACES],
      ['GET', `${SPACES}/${id}/members`],
      ['POST', `${SPACES}/${id}/members`],
      ['DELETE', `${SPACES}/${id}/members/${id}`],
    ]) {
      const body = method === 'POST' ? { name: 'X', type: 'team', email: 'a@example.com' } : undefined;
      expect((await http(t.url, method, path, { body })).status).toBe(401);
    }
  });
});
