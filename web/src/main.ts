// Element Plus's base styles (variables, reset); each component's own styles come with it (vite.config.ts).
import 'element-plus/theme-chalk/base.css';
// Called from code, not templates, so the resolver cannot see them.
import 'element-plus/theme-chalk/el-message.css';
import 'element-plus/theme-chalk/el-notification.css';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';
import './theme.css';

createApp(App).use(router).mount('#app');
