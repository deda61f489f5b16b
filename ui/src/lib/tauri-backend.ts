// The Backend over Tauri commands. The session token never reaches this side:
// the commands hold it in the OS keyring.

import { getVersion } from '@tauri-apps/api/app';
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { Backend } from './backend';
import type { InstallProgress, OpenItem, Progress, SyncUpdate, UpdateStatus } from './types';

export const tauriBackend: Backend = {
  overview: () => invoke('overview'),
  window: (query) => invoke('read_window', { query }),
  record: (kind, id) => invoke('read_record', { kind, id }),
  signIn: (server, email, password) => invoke('sign_in', { server, email, password }),
  acceptInvitation: (server, code, displayName, password) =>
    invoke('accept_invitation', { server, code, displayName, password }),
  takeInvitation: () => invoke('take_invitation'),
  signOut: () => invoke('sign_out'),
  signOutEverywhere: () => invoke('sign_out_everywhere'),
  changePassword: (current, next) => invoke('change_password', { currentPassword: current, newPassword: next }),
  accessLog: (after) => invoke('access_log', { after }),
  colleagues: () => invoke('colleagues'),
  inviteColleague: (input) => invoke('invite_colleague', { input }),
  colleagueAction: (id, action) => invoke('colleague_action', { id, action }),
  submitRequest: (input) => invoke('submit_request', { input }),
  discardRequest: (idempotencyKey) => invoke('discard_request', { idempotencyKey }),
  cancelRequest: (id) => invoke('cancel_request', { id }),
  sendMessage: (requestId, body) => invoke('send_message', { requestId, body }),
  discardMessage: (idempotencyKey) => invoke('discard_message', { idempotencyKey }),
  // The bytes go as the raw payload (no JSON number array); what they are rides in headers.
  attachFile: async (requestId, file) =>
    invoke('attach_file', new Uint8Array(await file.arrayBuffer()), {
      headers: {
        'x-request-id': requestId,
        'x-file-name': encodeURIComponent(file.name),
        'x-content-type': file.type || 'application/octet-stream',
      },
    }),
  discardFile: (idempotencyKey) => invoke('discard_file', { idempotencyKey }),
  downloadAttachment: (id, onProgress) => {
    const progress = new Channel<Progress>();
    progress.onmessage = onProgress;
    return invoke('download_attachment', { id, progress });
  },
  openAttachment: (id) => invoke('open_attachment', { id }),
  showAttachmentInFolder: (id) => invoke('show_attachment_in_folder', { id }),
  syncNow: () => invoke('sync_now'),
  markSeen: (group) => invoke('mark_seen', { group }),
  getSettings: () => invoke('get_settings'),
  setSettings: (settings) => invoke('set_settings', { settings }),
  checkUpdates: () => invoke('check_updates'),
  installUpdate: (onProgress) => {
    const progress = new Channel<InstallProgress>();
    progress.onmessage = onProgress;
    return invoke('install_update', { progress });
  },
  updateChannels: () => invoke('update_channels'),
  appVersion: () => getVersion(),
  onSyncUpdate: (listener) => listen<SyncUpdate>('sync-update', (event) => listener(event.payload)),
  onInvitation: (listener) => listen<string>('invite-link', (event) => listener(event.payload)),
  onOpenItem: (listener) => listen<OpenItem>('open-item', (event) => listener(event.payload)),
  onUpdateStatus: (listener) => listen<UpdateStatus>('update-status', (event) => listener(event.payload)),
};
