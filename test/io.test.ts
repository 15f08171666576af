import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readLocations } from '../src/io/tf-files.js'
import { tempFolder } from './support/temp.js'

/** Finding resource blocks in a Terraform configuration, for `havip plan --config`. */

const write = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

describe('readLocations', () => {
  it('finds each resource block in the root and in local modules, by configuration address, with its file and line', () => {
    const root = tempFolder('havip-tf-')
    write(join(root, 'main.tf'), 'terraform {}\n\nresource "volcengine_ha_vip" "db" {\n  subnet_id = "subnet-a"\n}\n  resource  "volcengine_ha_vip_associate" "web" {\n}\n')
    write(join(root, 'b.tf'), '# resource "volcengine_ha_vip" "commented" {}\nresource "volcengine_network_interface" "nic" {}\n')
    write(join(root, 'notes.txt'), 'resource "volcengine_ha_vip" "not_terraform" {}\n')
    write(join(root, 'modules', 'app', 'main.tf'), '\nresource "volcengine_ha_vip_associate" "this" {}\n')
    write(join(root, 'common', 'net', 'net.tf'), 'resource "volcengine_ha_vip" "this" {}\n')
    const locations = readLocations(root, [
      { path: 'module.app', source: './modules/app' },
      // A module called by a module: its source is relative to its caller's folder.
      { path: 'module.app.module.net', source: '../../common/net' },
    ])
    expect(Object.fromEntries(locations)).toEqual({
      'volcengine_ha_vip.db': { file: 'main.tf', line: 3 },
      'volcengine_ha_vip_associate.web': { file: 'main.tf', line: 6 },
      'volcengine_network_interface.nic': { file: 'b.tf', line: 2 },
      'module.app.volcengine_ha_vip_associate.this': { file: 'modules/app/main.tf', line: 2 },
      'module.app.module.net.volcengine_ha_vip.this': { file: 'common/net/net.tf', line: 1 },
    })
  })

  it('keeps the first block of a name, in the order of the file names', () => {
    const root = tempFolder('havip-tf-')
    write(join(root, 'b.tf'), 'resource "volcengine_ha_vip" "db" {}\n')
    write(join(root, 'a.tf'), '\n\nresource "volcengine_ha_vip" "db" {}\n')
    expect(readLocations(root, []).get('volcengine_ha_vip.db')).toEqual({ file: 'a.tf', line: 3 })
  })

  it('names a configuration folder it cannot read', () => {
    const root = tempFolder('havip-tf-')
    expect(() => readLocations(join(root, 'missing'), [])).toThrow(/missing: cannot read the configuration folder: /)
    write(join(root, 'main.tf'), '')
    expect(() => readLocations(root, [{ path: 'module.gone', source: './gone' }])).toThrow(/gone: cannot read the configuration folder/)
  })
})
