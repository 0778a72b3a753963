/** The system and registry routes' schemas: health, this OpenAPI document, the disclosure catalogue. */
import { Type } from 'typebox';
import { DISCLOSURE_ATTRIBUTES } from '../../domain/registry.js';
import { tags } from './common.js';

export const Catalogue = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        id: Type.String({ description: 'What a package names as catalogueItem' }),
        // The 13 elements of a disclosure catalogue entry (config/registry/catalogue.yaml), in their order.
        category: Type.String({ description: '1 公开事项类别' }),
        name: Type.String({ description: '2 公开事项名称' }),
        content: Type.String({ description: '3 公开内容' }),
        basis: Type.String({ description: '4 公开依据' }),
        subject: Type.String({ description: '5 公开主体' }),
        responsibleDepartment: Type.String({ description: '6 责任部门' }),
        responsibleSection: Type.String({ description: '7 责任科室' }),
        timeLimit: Type.String({ description: '8 公开时限' }),
        audience: Type.String({ description: '9 公开对象' }),
        channels: Type.Array(Type.String(), { description: '10 公开渠道' }),
        method: Type.String({ description: '11 公开方式' }),
        attribute: Type.Enum([...DISCLOSURE_ATTRIBUTES], { description: '12 公开属性: proactive 主动公开 / on_request 依申请公开' }),
        portalColumnId: Type.String({ description: '13 网站对应栏目: the portal column its documents go to (channel portal:<id>)' }),
        contentClass: Type.String({ description: 'Selects the review stages' }),
        requiresInterpretation: Type.Boolean({ description: 'A policy document released with its interpretation (三同步)' }),
        normative: Type.Boolean({ description: '行政规范性文件: its documents carry 有效性 (document.validity)' }),
        stages: Type.Array(Type.String(), { description: 'The review stages of its content class, in order (初审, 复审, 终审)' }),
      }),
    ),
  },
  { description: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required' },
);

export const Health = Type.Object(
  { status: Type.Enum(['ok', 'degraded']), database: Type.String(), temporal: Type.String() },
  { description: 'Health of the API, database and Temporal (plus extra checks)' },
);

export const Topics = Type.Object(
  {
    categories: Type.Array(Type.Object({ name: Type.String(), children: Type.Array(Type.String()) })),
    paths: Type.Array(Type.String(), { description: 'Every topic as document.topic takes it, e.g. 综合政务\\政务公开' }),
  },
  { description: '主题分类 (config/registry/topics.yaml): two levels' },
);

export const OpenApiDocument = Type.Object(
  {
    openapi: Type.Literal('3.1.0'),
    info: Type.Object({ title: Type.String(), version: Type.String(), description: Type.String() }),
    components: Type.Record(Type.String(), Type.Unknown(), { description: 'securitySchemes, responses and the named schemas' }),
    paths: Type.Record(Type.String(), Type.Unknown(), { description: 'Every route, by path and method' }),
  },
  { description: 'This document' },
);

export const systemRoutes = {
  health: { summary: 'Health of the API, database and Temporal', tags: tags.system, response: { 200: Health } },
  openapi: { summary: 'This OpenAPI document, generated from the route schemas', tags: tags.system, response: { 200: OpenApiDocument } },
  catalogue: {
    summary: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required',
    tags: tags.registry,
    response: { 200: Catalogue },
  },
  topics: { summary: '主题分类: the topics a document may be filed under (document.topic)', tags: tags.registry, response: { 200: Topics } },
};
