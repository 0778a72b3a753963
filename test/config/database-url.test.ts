/** DATABASE_URL as govpub prints and records it (config/database-url.ts): no password, wherever the URL holds one. */
import { describe, expect, it } from 'vitest';
import { passwordsOf, redactUrl, withoutPassword } from '../../config/database-url.js';

describe('DATABASE_URL without its passwords', () => {
  it('blanks the password of the user info and of the query parameters pg reads as settings', () => {
    expect(redactUrl('postgres://govpub:s3cret@db.internal:5432/govpub')).toBe('postgres://govpub:***@db.internal:5432/govpub');
    // pg connects with ?password=… as with govpub:…@: the error naming the database printed it whole.
    expect(redactUrl('postgres://govpub@db.internal:5432/govpub?password=s3cret&sslmode=require')).toBe(
      'postgres://govpub@db.internal:5432/govpub?password=***&sslmode=require',
    );
    expect(redactUrl('postgresql://db.internal/govpub?user=govpub&sslpassword=k3y-pass&password=s3cret')).toBe(
      'postgresql://db.internal/govpub?user=govpub&sslpassword=***&password=***',
    );
    expect(redactUrl('postgres://govpub@db.internal/govpub')).toBe('postgres://govpub@db.internal/govpub');
    expect(redactUrl('127.0.0.1:5432/govpub')).toBe('(unparseable DATABASE_URL)');
  });

  it('removes them from what topology.json records', () => {
    expect(withoutPassword('postgres://govpub:s3cret@db.internal:5432/govpub')).toBe('postgres://govpub@db.internal:5432/govpub');
    expect(withoutPassword('postgres://govpub@db.internal:5432/govpub?sslmode=require&password=s3cret')).toBe(
      'postgres://govpub@db.internal:5432/govpub?sslmode=require',
    );
  });

  it('finds every password, decoded, so a server quoting one can be blanked', () => {
    expect(passwordsOf('postgres://govpub:p%40ss@db/govpub?password=q%26r&sslpassword=k')).toEqual(['p@ss', 'q&r', 'k']);
    expect(passwordsOf('postgres://govpub@db/govpub')).toEqual([]);
  });
});
